package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.ctx.TunnelInfo;
import dev.tcxsim.vm.support.Asm;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;

import static dev.tcxsim.vm.isa.Op.W;
import static dev.tcxsim.vm.isa.Op.B;
import static dev.tcxsim.vm.support.Asm.R0;
import static dev.tcxsim.vm.support.Asm.R1;
import static dev.tcxsim.vm.support.Asm.R2;
import static dev.tcxsim.vm.support.Asm.R3;
import static dev.tcxsim.vm.support.Asm.R6;
import static dev.tcxsim.vm.support.Asm.R7;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SkBuff's resizing primitives, and what a packet pointer kept across a resizing helper does in the simulator. */
class SkbResizeUnitTest {
    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i + 1);
        }
        return b;
    }

    @Test
    void insertAndRemoveMoveTheFrontAndKeepTheMetadata() {
        SkBuff skb = new SkBuff(bytes(20));
        skb.setMeta(new byte[] {9, 9, 9, 9});
        skb.insertBytes(6, 3);
        assertEquals("[1, 2, 3, 4, 5, 6, 0, 0, 0, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]",
                Arrays.toString(skb.data()));
        assertArrayEquals(new byte[] {9, 9, 9, 9}, skb.meta(), "metadata stays in front of data");
        skb.removeBytes(6, 3);
        assertArrayEquals(bytes(20), skb.data());
        assertArrayEquals(new byte[] {9, 9, 9, 9}, skb.meta());
        assertEquals(20, skb.wireLen(), "wire_len is what arrived");
    }

    @Test
    void growingPastTheHeadroomOrTheEndMovesToALargerBuffer() {
        SkBuff skb = new SkBuff(bytes(10));
        byte[] before = skb.buffer();
        skb.insertBytes(0, SkBuff.HEADROOM + 100);
        assertTrue(skb.buffer() != before, "a new buffer");
        assertEquals(10 + SkBuff.HEADROOM + 100, skb.len());
        assertArrayEquals(bytes(10), Arrays.copyOfRange(skb.data(), SkBuff.HEADROOM + 100, skb.len()));
        skb.setLen(skb.len() + 5000);
        assertArrayEquals(new byte[5000], Arrays.copyOfRange(skb.data(), skb.len() - 5000, skb.len()), "zero tail");
        skb.setLen(3);
        assertEquals(3, skb.len());
        assertEquals(skb.dataOffset() + 3, skb.dataEndOffset());
    }

    @Test
    void badResizeArgumentsAreRefusedWithAClearMessage() {
        SkBuff skb = new SkBuff(bytes(10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> skb.removeBytes(8, 5));
        assertTrue(e.getMessage().contains("10-byte packet"), e::getMessage);
        assertThrows(IllegalArgumentException.class, () -> skb.insertBytes(11, 1));
        assertThrows(IllegalArgumentException.class, () -> skb.setLen(-1));
        assertThrows(IllegalArgumentException.class, () -> new TunnelInfo(true, false, 1, 0, 0, 0, new byte[16],
                new byte[4], 0, new byte[0]));
    }

    /**
     * r6 = data; change_tail(skb, 20, 0); then a byte load at old data + 30. The kernel's verifier refuses
     * this program (the helper invalidated r6); the simulator runs it and the load faults, past the new end.
     */
    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void aStalePacketPointerPastTheNewEndFaults(Modes.Mode mode) throws Exception {
        long[] insns = new Asm().mov64r(R7, R1).ldx(W, R6, R1, SkBuffLayout.DATA)
                .mov64r(R1, R7).mov64(R2, 20).mov64(R3, 0).call(SkbHelpers.SKB_CHANGE_TAIL)
                .ldx(B, R0, R6, 30).exit().build();
        LoadedProgram p = Modes.vm(mode).loadRaw("stale", List.of(), insns);
        SkBuff skb = new SkBuff(SkbOracle.ipv4Udp(0));
        RunResult r = p.run(skb, RunEnv.DEFAULT);
        assertNotNull(r.fault(), "a load past the shrunk packet");
        assertTrue(r.fault().contains("packet+30") && r.fault().contains("packet is 20 bytes"), r::fault);
        assertEquals(20, skb.len());
    }

    /** The same program with a load inside the new packet reads whatever byte sits there now. */
    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void aStalePacketPointerInsideThePacketReadsTheBytesNowThere(Modes.Mode mode) throws Exception {
        long[] insns = new Asm().mov64r(R7, R1).ldx(W, R6, R1, SkBuffLayout.DATA)
                .mov64r(R1, R7).mov64(R2, 4).mov64(R3, 0).call(SkbHelpers.SKB_CHANGE_HEAD)
                .ldx(B, R0, R6, 0).exit().build();
        LoadedProgram p = Modes.vm(mode).loadRaw("stale", List.of(), insns);
        byte[] frame = SkbOracle.ipv4Udp(0);
        SkBuff skb = new SkBuff(frame);
        RunResult r = p.run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), r::fault);
        assertEquals(frame[0], (byte) r.returnValue(), "old data still addresses the first frame byte, now at offset 4");
        assertEquals(0, skb.data()[0], "the new head is zeroed");
    }
}
