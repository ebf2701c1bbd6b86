package dev.tcxsim.vm.truffle;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.support.Asm;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tcxsim.vm.isa.Op.*;
import static dev.tcxsim.vm.support.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loops under compilation: a loop entered with constant registers must compile (partial
 * evaluation would otherwise unroll it), a long loop in a program that runs once must go through
 * OSR, and repeated runs (profiled, then compiled from the start) must keep the result.
 */
class LoopCompilationTest {
    private static void runRepeatedly(long[] insns, long expected) throws Exception {
        LoadedProgram p = Modes.vm(Modes.Mode.COMPILED).loadRaw("loop", List.of(), insns);
        for (int i = 0; i < 4; i++) {
            RunResult r = p.run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT);
            assertNull(r.fault());
            assertEquals(expected, r.r0(), "run " + i);
        }
        assertTrue(p.lastRunCompiled(), "after the profiles settled the program ran as compiled code");
    }

    @Test
    void interpretedModeNeverCompiles() throws Exception {
        LoadedProgram p = Modes.vm(Modes.Mode.INTERPRETED).loadRaw("flat", List.of(), new Asm().mov64(R0, 3).exit().build());
        for (int i = 0; i < 3; i++) {
            assertEquals(3, p.run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT).r0());
        }
        assertFalse(p.lastRunCompiled());
    }

    @Test
    void straightLineCodeRunsCompiledOnTheFirstCall() throws Exception {
        LoadedProgram p = Modes.vm(Modes.Mode.COMPILED).loadRaw("flat", List.of(),
                new Asm().mov64(R0, 3).alu64(MUL, R0, 7).exit().build());
        assertEquals(21, p.run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT).r0());
        assertTrue(p.lastRunCompiled());
    }

    @Test
    void loopWithAConstantStartCompiles() throws Exception {
        runRepeatedly(new Asm().mov64(R1, 300_000).mov64(R0, 0).label("loop").alu64r(ADD, R0, R1)
                .alu64(SUB, R1, 1).jmp(JNE, R1, 0, "loop").exit().build(), 300_000L * 300_001 / 2);
    }

    @Test
    void loopWithAPacketDependentBoundCompiles() throws Exception {
        // len (64) * 5000 iterations
        runRepeatedly(new Asm().ldx(W, R1, R1, 0).alu64(MUL, R1, 5000).mov64(R0, 0).label("loop")
                .alu64r(ADD, R0, R1).alu64(SUB, R1, 1).jmp(JNE, R1, 0, "loop").exit().build(), 320_000L * 320_001 / 2);
    }

    @Test
    void nestedLoopsCompile() throws Exception {
        runRepeatedly(new Asm().mov64(R0, 0).mov64(R1, 600).label("outer").mov64(R2, 500).label("inner")
                .alu64r(ADD, R0, R2).alu64(SUB, R2, 1).jmp(JNE, R2, 0, "inner").alu64(SUB, R1, 1)
                .jmp(JNE, R1, 0, "outer").exit().build(), 600L * (500L * 501 / 2));
    }
}
