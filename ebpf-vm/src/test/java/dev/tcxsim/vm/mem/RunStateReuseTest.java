package dev.tcxsim.vm.mem;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.support.Asm;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Runs share their thread's RunState and stack array; nothing of one run may show in the next:
 * a program that reads stack bytes it never wrote sees zeros, whatever ran before on the thread.
 */
class RunStateReuseTest {
    private static final int R0 = 0, R1 = 1, R2 = 2, R6 = 6, R10 = 10;

    /** Writes a marker into 64 bytes of its frame, through r10 and through a derived pointer, and in a callee. */
    private static long[] scribbler() {
        Asm a = new Asm();
        for (int off = -8; off >= -64; off -= 8) {
            a.st(Op.DW, R10, off, 0x5a5a5a5a);
        }
        a.mov64r(R2, R10).alu64(Op.ADD, R2, -128).st(Op.DW, R2, 0, 0x7777);
        return a.ret(1).build();
    }

    /** Reads the same bytes without writing them: the sum must be 0 on a fresh frame. */
    private static long[] reader() {
        Asm a = new Asm().mov64(R6, 0);
        for (int off = -8; off >= -64; off -= 8) {
            a.ldx(Op.DW, R0, R10, off).alu64r(Op.ADD, R6, R0);
        }
        a.mov64r(R2, R10).alu64(Op.ADD, R2, -128).ldx(Op.DW, R0, R2, 0).alu64r(Op.ADD, R6, R0);
        return a.mov64r(R0, R6).exit().build();
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void aRunNeverSeesTheStackOfAnEarlierRun(Modes.Mode mode) throws Exception {
        LoadedProgram write = Modes.vm(mode).loadRaw("scribble", List.of(), scribbler());
        LoadedProgram read = Modes.vm(mode).loadRaw("peek", List.of(), reader());
        for (int i = 0; i < 50; i++) {
            assertEquals(1, write.run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT).r0());
            RunResult r = read.run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT);
            assertNull(r.fault());
            assertEquals(0, r.r0(), "run " + i + ": the reader saw bytes the scribbler left");
        }
    }

    @Test
    void aNestedRunOnTheSameThreadGetsItsOwnState() {
        SkBuff outerSkb = new SkBuff(Modes.packet(64));
        RunState outer = RunState.acquire(outerSkb, RunEnv.DEFAULT, 100, null);
        RunState inner = RunState.acquire(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT, 100, null);
        assertNotSame(outer, inner, "the cached state is busy, so a nested run must not share it");
        inner.release();
        assertSame(outerSkb, outer.skb, "the nested run left the outer run's state alone");
        outer.release();
        RunState next = RunState.acquire(outerSkb, RunEnv.DEFAULT, 100, null);
        assertSame(outer, next, "after release the thread's state is handed out again");
        assertEquals(0, next.insns);
        assertNull(next.redirect);
        next.release();
    }

    @Test
    void stackUseBoundsWhatAFunctionTouches() {
        assertEquals(64, dev.tcxsim.vm.truffle.StackUseProbe.frameBytes(new Asm()
                .st(Op.DW, R10, -64, 1).ret(0).build()));
        assertEquals(120, dev.tcxsim.vm.truffle.StackUseProbe.frameBytes(new Asm()
                .mov64r(R1, R10).alu64(Op.ADD, R1, -120).st(Op.DW, R1, 0, 1).ret(0).build()));
        assertEquals(RunState.FRAME_SIZE, dev.tcxsim.vm.truffle.StackUseProbe.frameBytes(new Asm()
                .mov64r(R1, R10).alu64r(Op.ADD, R1, R2).st(Op.DW, R1, 0, 1).ret(0).build()),
                "a stack pointer moved by a register can reach anywhere in the frame");
        assertEquals(RunState.FRAME_SIZE, dev.tcxsim.vm.truffle.StackUseProbe.frameBytes(new Asm()
                .mov64r(R1, R10).stx(Op.DW, R10, R1, -8).ret(0).build()),
                "a stack pointer saved to memory is not followed");
        assertEquals(0, dev.tcxsim.vm.truffle.StackUseProbe.frameBytes(new Asm().mov64r(R1, R10)
                .mov64(R1, 5).alu64r(Op.ADD, R1, R2).ret(0).build()),
                "a register that no longer holds a stack pointer may be moved freely");
    }
}
