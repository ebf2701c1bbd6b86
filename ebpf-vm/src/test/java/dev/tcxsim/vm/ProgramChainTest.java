package dev.tcxsim.vm;

import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.helpers.Helpers;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.support.Asm;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A chain runs program after program until one returns other than the continue code; fused (one
 * Truffle root) and unfused (reference interpreter) chains give the same outcome.
 */
class ProgramChainTest {
    private static final int NEXT = -1;

    private static LoadedProgram returning(Modes.Mode mode, String name, int rc) throws Exception {
        return Modes.vm(mode).loadRaw(name, List.of(), new Asm().mov64(0, rc).exit().build());
    }

    /** Marks skb->mark with {@code bit} (so the test sees which programs ran), then returns {@code rc}. */
    private static LoadedProgram marking(Modes.Mode mode, String name, int bit, int rc) throws Exception {
        return Modes.vm(mode).loadRaw(name, List.of(), new Asm()
                .ldx(Op.W, 2, 1, 8).alu64(Op.OR, 2, bit).stx(Op.W, 1, 2, 8).mov64(0, rc).exit().build());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void theFirstVerdictOtherThanNextEndsTheChain(Modes.Mode mode) throws Exception {
        List<LoadedProgram> progs = List.of(marking(mode, "a", 1, NEXT), marking(mode, "b", 2, NEXT),
                marking(mode, "c", 4, 2), marking(mode, "d", 8, 0));
        ProgramChain chain = ProgramChain.of(progs);
        assertEquals(mode != Modes.Mode.REFERENCE, chain.fused(), "Truffle programs of one VM fuse");
        for (int i = 0; i < 300; i++) { // long enough for the root to compile in the default mode
            SkBuff skb = new SkBuff(Modes.packet(64));
            ProgramChain.Outcome out = chain.run(skb, RunEnv.DEFAULT, NEXT);
            assertEquals(2, out.decidedBy());
            assertNull(out.fault());
            assertEquals(2, (int) out.r0()[2]);
            assertEquals(NEXT, (int) out.r0()[0]);
            assertEquals(7, skb.mark(), "a, b and c ran; d did not");
        }
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void everyProgramSayingNextRunsThemAll(Modes.Mode mode) throws Exception {
        List<LoadedProgram> progs = new ArrayList<>();
        for (int i = 0; i < 63; i++) {
            progs.add(returning(mode, "n" + i, NEXT));
        }
        ProgramChain.Outcome out = ProgramChain.of(progs).run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT, NEXT);
        assertEquals(63, out.decidedBy());
        long[] expected = new long[63];
        java.util.Arrays.fill(expected, NEXT);
        assertArrayEquals(expected, out.r0());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void aFaultEndsTheChainAtTheFaultingProgramAndNamesIt(Modes.Mode mode) throws Exception {
        LoadedProgram bad = Modes.vm(mode).loadRaw("bad", List.of(), new Asm().mov64(2, 0).ldx(Op.DW, 0, 2, 0)
                .exit().build());
        List<LoadedProgram> progs = List.of(returning(mode, "ok", NEXT), bad, returning(mode, "never", 0));
        ProgramChain.Outcome out = ProgramChain.of(progs).run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT, NEXT);
        assertEquals(1, out.decidedBy());
        assertNotNull(out.fault());
        assertTrue(out.fault().contains("NULL"), out.fault());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void aRedirectAskedForEarlyStaysPending(Modes.Mode mode) throws Exception {
        LoadedProgram redirects = Modes.vm(mode).loadRaw("r", List.of(), new Asm().mov64(1, 42).mov64(2, 0)
                .call(Helpers.REDIRECT).mov64(0, NEXT).exit().build());
        List<LoadedProgram> progs = List.of(returning(mode, "first", NEXT), redirects, returning(mode, "act", 7));
        ProgramChain.Outcome out = ProgramChain.of(progs).run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT, NEXT);
        assertEquals(2, out.decidedBy());
        assertNotNull(out.redirect(), "program 1's bpf_redirect is still pending when program 2 returns 7");
        assertEquals(42, out.redirect().ifindex());
    }
}
