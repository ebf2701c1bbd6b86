package dev.tcxsim.linux;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The DATASEC rewrite and FUNC lookup on a hand-made BTF blob (no kernel needed). */
class BtfForKernelTest {
    /** Types: [1] INT "int", [2] DATASEC ".data" with one var entry, [3] FUNC_PROTO, [4] FUNC "f". */
    private static byte[] blob() {
        byte[] strings = "\0int\0.data\0f\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer types = ByteBuffer.allocate(16 + 24 + 12 + 12).order(ByteOrder.LITTLE_ENDIAN);
        types.putInt(1).putInt(1 << 24).putInt(4).putInt((1 << 24) | 32);     // INT int
        types.putInt(5).putInt((15 << 24) | 1).putInt(0).putInt(1).putInt(0).putInt(4); // DATASEC .data, 1 entry
        types.putInt(0).putInt(13 << 24).putInt(1);                             // FUNC_PROTO returning int
        types.putInt(11).putInt(12 << 24).putInt(3);                            // FUNC f
        ByteBuffer b = ByteBuffer.allocate(24 + types.capacity() + strings.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24)
                .putInt(0).putInt(types.capacity()).putInt(types.capacity()).putInt(strings.length);
        b.put(types.array()).put(strings);
        return b.array();
    }

    @Test
    void datasecBecomesAnEmptyAnonymousStructAndIdsStay() {
        BtfForKernel.Result r = BtfForKernel.rewrite(blob());
        assertEquals(Map.of("f", 4), r.funcIds());
        ByteBuffer b = ByteBuffer.wrap(r.btf()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(64 - 12, b.getInt(12), "the var entry is gone from type_len");
        int datasec = 24 + 16;
        assertEquals(0, b.getInt(datasec), "anonymous");
        assertEquals(4 << 24, b.getInt(datasec + 4), "STRUCT, no members");
        assertEquals(11, b.getInt(datasec + 12 + 12), "FUNC f follows right after, name offset unchanged");
    }

    @Test
    void somethingElseIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BtfForKernel.rewrite(new byte[30]));
        assertEquals("not BTF: no 0xeB9F magic at offset 0", e.getMessage());
        byte[] cut = blob();
        ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 1000);
        assertThrows(IllegalArgumentException.class, () -> BtfForKernel.rewrite(cut));
    }
}
