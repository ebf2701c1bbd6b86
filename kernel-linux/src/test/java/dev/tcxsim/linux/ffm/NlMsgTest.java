package dev.tcxsim.linux.ffm;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The netlink message builder and parser, byte for byte (no kernel needed). */
class NlMsgTest {
    @Test
    void headerAttributesAndNestsHaveTheirLengthsAndPadding() {
        byte[] b = new NlMsg(16, NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_ACK)
                .putU32(7)
                .attrString(3, "ab")            // 4 + 3 bytes, padded to 8
                .nest(18).attrU32(1, 0x01020304).endNest()
                .bytes(42);
        ByteBuffer m = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        assertEquals(b.length, m.getInt(0), "nlmsg_len covers the whole message");
        assertEquals(16 + 4 + 8 + 12, b.length);
        assertEquals(16, m.getShort(4));
        assertEquals(5, m.getShort(6));
        assertEquals(42, m.getInt(8));
        assertEquals(7, m.getInt(16));
        assertEquals(7, m.getShort(20), "rta_len excludes the padding");
        assertEquals(3, m.getShort(22));
        assertEquals(12, m.getShort(28), "the nest's length covers its child");

        Map<Integer, ByteBuffer> attrs = NlMsg.attrs(m, 20, b.length);
        assertEquals("ab", NlMsg.string(attrs.get(3)));
        assertEquals(0x01020304, NlMsg.u32(NlMsg.nested(attrs.get(18)).get(1)));
    }

    @Test
    void anUnclosedNestIsAnError() {
        NlMsg m = new NlMsg(16, 0).nest(18);
        assertThrows(IllegalStateException.class, () -> m.bytes(1));
    }

    @Test
    void aTruncatedAttributeEndsParsingInsteadOfOverrunning() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        b.putShort(0, (short) 64).putShort(2, (short) 1);  // claims 64 bytes, has 8
        assertEquals(Map.of(), NlMsg.attrs(b, 0, 8));
    }
}
