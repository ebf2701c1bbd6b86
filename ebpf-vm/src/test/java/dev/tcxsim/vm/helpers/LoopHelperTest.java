package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.support.Asm;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.tcxsim.vm.support.Asm.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bpf_loop: testdata/progs/cb_loop.c in every mode against its expected values and the real kernel. */
class LoopHelperTest {
    private static final int[] LENGTHS = {64, 77};

    /** What cb_loop.c's results struct must hold for a packet of {@code len} bytes. */
    private static long[] expected(int len) {
        long n = len & 31;
        long stopAt = len & 7;
        return new long[] {n * (n - 1) / 2, n, stopAt + 1, stopAt + 1, -22, 0xfffffff9L, 0, 3L * (len & 3), 1};
    }

    private static long[] results(byte[] value) {
        return OutFields.u64s(value, 9);
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void loopRulesInTheSimulator(Modes.Mode mode) throws Exception {
        BpfObject obj = CbObjects.object("cb_loop");
        for (int len : LENGTHS) {
            CbObjects.SimRun r = CbObjects.runSim(mode, obj, "loop_rules", CbObjects.packet(len));
            assertEquals(0, r.result().returnValue());
            assertArrayEquals(expected(len), results(r.value("out", new byte[4])), "len " + len);
        }
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void loopRulesAsInTheKernel(Modes.Mode mode) throws Throwable {
        CbObjects.assumeKernel();
        BpfObject obj = CbObjects.object("cb_loop");
        for (int len : LENGTHS) {
            CbObjects.KernelRun k = CbObjects.runKernel(obj, "loop_rules", CbObjects.packet(len), "out", n -> 0);
            CbObjects.SimRun s = CbObjects.runSim(mode, obj, "loop_rules", CbObjects.packet(len));
            assertEquals(k.outcome().retval(), s.result().returnValue());
            assertArrayEquals(results(k.value()), results(s.value("out", new byte[4])), "len " + len);
            assertArrayEquals(k.outcome().packet(), s.skb().data());
        }
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void callbacksTextProgramAsInTheKernel(Modes.Mode mode) throws Throwable {
        BpfObject obj = CbObjects.object("callbacks");
        byte[] packet = CbObjects.packet(75); // n = 75 & 15 = 11
        CbObjects.SimRun s = CbObjects.runSim(mode, obj, "sum_to", packet);
        assertEquals(55, s.result().returnValue());
        assertEquals(11, s.skb().mark());
        if (dev.tcxsim.vm.support.KernelBpf.available()) {
            assertEquals(CbObjects.runKernel(obj, "sum_to", packet, null, n -> 0).outcome().retval(),
                    s.result().returnValue());
        }
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void aCallbackFrameLiesBelowItsCallers(Modes.Mode mode) throws Throwable {
        BpfObject obj = CbObjects.object("cb_loop");
        byte[] packet = CbObjects.packet(77); // n = 77 & 15 = 13 calls of bpf_loop(3, ...): 13 * (1 + 2 + 3)
        CbObjects.SimRun s = CbObjects.runSim(mode, obj, "loop_frames", packet);
        assertEquals(13 * 6, s.result().returnValue(), "-1 would mean the callback overwrote its caller's frame");
        if (dev.tcxsim.vm.support.KernelBpf.available()) {
            assertEquals(CbObjects.runKernel(obj, "loop_frames", packet, null, n -> 0).outcome().retval(),
                    s.result().returnValue());
        }
    }

    /** r1 = r10 - 8 points at a u64 counter on the caller's stack; the callback adds 1 per call and recurses. */
    private static long[] nested(int levels) {
        Asm a = new Asm().st(Op.DW, R10, -8, 0).mov64(R6, levels);
        // main: bpf_loop(1, cb, &counter, 0) and return the counter
        a.mov64(R1, 1).raw(0).raw(0).mov64r(R3, R10).alu64(Op.ADD, R3, -8).mov64(R4, 0).call(Helpers.LOOP)
                .ldx(Op.DW, R0, R10, -8).exit();
        // cb(index, ctx): (*ctx)++; bpf_loop(1, cb2, ctx, 0) ...: a chain of callbacks one per level
        int[] starts = new int[levels];
        for (int l = 0; l < levels; l++) {
            starts[l] = a.pc();
            a.ldx(Op.DW, R3, R2, 0).alu64(Op.ADD, R3, 1).stx(Op.DW, R2, R3, 0);
            if (l + 1 < levels) {
                a.mov64r(R3, R2).mov64(R1, 1).raw(0).raw(0).mov64(R4, 0).call(Helpers.LOOP);
            }
            a.ret(0);
        }
        long[] insns = a.build();
        // patch the LD_IMM64 BPF_PSEUDO_FUNC placeholders: first in main (after "mov64 r1, 1" at index 2)
        patchFunc(insns, 3, starts[0]);
        for (int l = 0; l + 1 < levels; l++) {
            patchFunc(insns, starts[l] + 5, starts[l + 1]);
        }
        return insns;
    }

    private static void patchFunc(long[] insns, int at, int target) {
        insns[at] = Op.make(Op.LD_IMM64, R2, Op.PSEUDO_FUNC, 0, target - at - 1);
        insns[at + 1] = 0;
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void callbacksCountTowardTheFrameLimit(Modes.Mode mode) throws Exception {
        LoadedProgram ok = Modes.vm(mode).loadRaw("nest7", List.of(), nested(7));
        RunResult r = ok.run(new SkBuff(CbObjects.packet(64)), RunEnv.DEFAULT);
        assertEquals(null, r.fault());
        assertEquals(7, r.returnValue(), "main + 7 callback frames = 8 frames");
        // like the kernel's verifier, the simulator's counts a callback as a call from the function that passes it
        VerifierException e = assertThrows(VerifierException.class,
                () -> Modes.vm(mode).loadRaw("nest8", List.of(), nested(8)));
        assertTrue(e.getMessage().contains("9 frames deep"), e.getMessage());
    }

    /**
     * sub (frame 1) keeps a guard at r10-8 and calls bpf_loop(1, cb, &counter, 0) 40,000 times in
     * one loop, long enough for tiered compilation to replace it on the stack; cb (frame 2)
     * writes its own r10-8 and bumps the counter. Returns the counter, or -1 when the guard was hit.
     */
    private static long[] osrLoop() {
        Asm a = new Asm().callLocal("sub").exit();
        a.label("sub").ldImm64(R1, 0x600d_600dL).stx(Op.DW, R10, R1, -8).st(Op.DW, R10, -16, 0).mov64(R6, 40_000);
        a.label("loop").mov64(R1, 1);
        int ld = a.pc();
        a.raw(0).raw(0).mov64r(R3, R10).alu64(Op.ADD, R3, -16).mov64(R4, 0).call(Helpers.LOOP)
                .alu64(Op.ADD, R6, -1).jmp(Op.JNE, R6, 0, "loop")
                .ldx(Op.DW, R1, R10, -8).ldImm64(R2, 0x600d_600dL).ldx(Op.DW, R0, R10, -16)
                .jmpr(Op.JEQ, R1, R2, "ok").mov64(R0, -1).label("ok").exit();
        int cb = a.pc();
        a.st(Op.DW, R10, -8, 0xdead).ldx(Op.DW, R3, R2, 0).alu64(Op.ADD, R3, 1).stx(Op.DW, R2, R3, 0).ret(0);
        long[] insns = a.build();
        patchFunc(insns, ld, cb);
        return insns;
    }

    @org.junit.jupiter.api.Test
    void callbacksInALongLoopUnderTieredCompilation() throws Exception {
        try (dev.tcxsim.vm.EbpfVm vm = new dev.tcxsim.vm.EbpfVm(dev.tcxsim.vm.truffle.EbpfEngine.Mode.DEFAULT)) {
            LoadedProgram p = vm.loadRaw("osr", List.of(), osrLoop());
            for (int run = 0; run < 5; run++) {
                RunResult r = p.run(new SkBuff(CbObjects.packet(64)), RunEnv.DEFAULT);
                assertEquals(null, r.fault());
                assertEquals(40_000, r.returnValue(), "run " + run);
            }
        }
        for (Modes.Mode mode : Modes.Mode.values()) {
            RunResult r = Modes.vm(mode).loadRaw("osr", List.of(), osrLoop()).run(new SkBuff(CbObjects.packet(64)),
                    RunEnv.DEFAULT);
            assertEquals(40_000, r.returnValue(), mode + ": " + r.fault());
        }
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void callbacksUseTheInstructionBudget(Modes.Mode mode) throws Exception {
        // bpf_loop(1 << 23, cb, 0, 0) with a 3-instruction callback: 25M instructions, beyond the 1M budget
        Asm a = new Asm().ldImm64(R1, 1 << 23).raw(0).raw(0).mov64(R3, 0).mov64(R4, 0).call(Helpers.LOOP).exit();
        int cb = a.pc();
        a.mov64(R0, 0).mov64(R0, 0).exit();
        long[] insns = a.build();
        patchFunc(insns, 2, cb);
        RunResult r = Modes.vm(mode).loadRaw("spin", List.of(), insns).run(new SkBuff(CbObjects.packet(64)), RunEnv.DEFAULT);
        assertNotNull(r.fault());
        assertTrue(r.fault().contains("budget"), r.fault());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void theCallersOwnInstructionsAfterALoopCountOnTheSameBudget(Modes.Mode mode) throws Exception {
        // bpf_loop(200000) with a 3-instruction callback (600k instructions), then a loop of the
        // caller's own of 250000 x 2 instructions: 1.1M together, beyond the 1M budget
        Asm a = new Asm().mov64(1, 200_000);
        int load = a.pc();
        a.raw(0).raw(0).mov64(R3, 0).mov64(R4, 0).call(Helpers.LOOP)
                .mov64(6, 250_000).label("again").alu64(Op.SUB, 6, 1).jmp(Op.JNE, 6, 0, "again").exit();
        int cb = a.pc();
        a.mov64(R0, 0).mov64(R0, 0).exit();
        long[] insns = a.build();
        patchFunc(insns, load, cb);
        LoadedProgram p = Modes.vm(mode).loadRaw("twice", List.of(), insns);
        for (int run = 0; run < 3; run++) { // later runs may be compiled
            RunResult r = p.run(new SkBuff(CbObjects.packet(64)), RunEnv.DEFAULT);
            assertNotNull(r.fault(), mode + " run " + run + ": the callbacks' instructions must count for the caller too");
            assertTrue(r.fault().contains("budget"), r.fault());
        }
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void aNumberIsNotACallback(Modes.Mode mode) throws Exception {
        long[] insns = new Asm().mov64(R1, 3).mov64(R2, 5).mov64(R3, 0).mov64(R4, 0).call(Helpers.LOOP).exit().build();
        RunResult r = Modes.vm(mode).loadRaw("nofn", List.of(), insns).run(new SkBuff(CbObjects.packet(64)), RunEnv.DEFAULT);
        assertNotNull(r.fault());
        assertTrue(r.fault().contains("not the address of a BPF function"), r.fault());
    }
}
