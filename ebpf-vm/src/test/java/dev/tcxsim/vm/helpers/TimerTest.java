package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bpf_timer on the simulated clock (testdata/progs/cb_timer.c): return codes also against the kernel. */
class TimerTest {
    private static final long START = 1_000_000, TEN_S = 10_000_000_000L;
    /** Index of elem.fired in u64s (after the 16-byte struct bpf_timer). */
    private static final int FIRED = 2;
    private static final long[] CODES = {0, -16, -22, -22, 0, -22, 0, 1, 0, -22, 0, 0};

    private static long[] codes(byte[] value) {
        long[] out = new long[CODES.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = CbObjects.u64(value, i);
        }
        return out;
    }

    private static byte[] key(int k) {
        return new byte[] {(byte) k, 0, 0, 0};
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void timersFireWhenTheClockAdvances(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(CbObjects.object("cb_timer"));
        TimerClock clock = new TimerClock(RunEnv.DEFAULT, START);
        RunResult r = obj.program("arm_timer").run(new SkBuff(CbObjects.packet(64)), clock);
        assertNull(r.fault(), r.fault());
        assertArrayEquals(CODES, codes(obj.map("out").lookup(key(0))));
        assertEquals(1, clock.pending());

        assertEquals(List.of(), clock.advanceBy(5_000), "the start 5000 ns ahead was cancelled");
        assertEquals(List.of(), clock.advanceTo(START + TEN_S - 1));
        List<TimerClock.Fired> first = clock.advanceTo(START + TEN_S);
        assertEquals(1, first.size(), first.toString());
        assertNull(first.getFirst().fault(), first.getFirst().fault());
        byte[] e = obj.map("timers").lookup(key(1));
        assertEquals(1, CbObjects.u64(e, FIRED), "fired");
        assertEquals(1, CbObjects.u64(e, FIRED + 1), "the callback's key");
        assertEquals(START + TEN_S, CbObjects.u64(e, FIRED + 2), "bpf_ktime_get_ns in the callback");
        assertEquals(-35, CbObjects.u64(e, FIRED + 3), "cancelling its own timer: -EDEADLK");

        List<TimerClock.Fired> more = clock.advanceBy(1_000_000);
        assertEquals(2, more.size(), "the callback re-armed itself twice");
        assertEquals(START + TEN_S + 2000, more.get(1).atNs());
        e = obj.map("timers").lookup(key(1));
        assertEquals(3, CbObjects.u64(e, FIRED));
        assertEquals(START + TEN_S + 2000, CbObjects.u64(e, FIRED + 2));
        assertEquals(0, clock.pending());
        assertEquals(0, CbObjects.u64(obj.map("timers").lookup(key(0)), FIRED), "the other element's timer never ran");
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void aTimerStartedWithoutATimerClockNeverFires(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(CbObjects.object("cb_timer"));
        RunResult r = obj.program("arm_timer").run(new SkBuff(CbObjects.packet(64)), RunEnv.DEFAULT);
        assertNull(r.fault(), r.fault());
        TimerClock other = new TimerClock(RunEnv.DEFAULT, 0);
        assertTrue(other.advanceBy(100 * TEN_S).isEmpty());
        assertEquals(0, CbObjects.u64(obj.map("timers").lookup(key(1)), FIRED));
    }

    /** A timer callback that names itself again (timer_cb re-registering) is not a recursive call: it runs on its own stack. */
    @org.junit.jupiter.api.Test
    void aTimerCallbackMayRegisterItself() throws Exception {
        // main: r2 = &cb; call timer_set_callback; exit.  cb: the same, pointing at itself.
        long[] insns = {
            Op.make(Op.LD_IMM64, 2, Op.PSEUDO_FUNC, 0, 3), 0,
            Op.make(Op.JMP | Op.CALL, 0, 0, 0, BpfTimers.TIMER_SET_CALLBACK),
            Op.make(Op.JMP | Op.EXIT, 0, 0, 0, 0),
            Op.make(Op.ALU64 | Op.MOV | Op.K, 0, 0, 0, 0),
            Op.make(Op.LD_IMM64, 2, Op.PSEUDO_FUNC, 0, -2), 0,
            Op.make(Op.JMP | Op.CALL, 0, 0, 0, BpfTimers.TIMER_SET_CALLBACK),
            Op.make(Op.JMP | Op.EXIT, 0, 0, 0, 0)};
        Modes.vm(Modes.Mode.REFERENCE).loadRaw("rearm", List.of(), insns);
        // the same shape passed to bpf_loop is a cycle, which the kernel refuses too
        long[] loop = insns.clone();
        loop[2] = Op.make(Op.JMP | Op.CALL, 0, 0, 0, Helpers.LOOP);
        loop[7] = Op.make(Op.JMP | Op.CALL, 0, 0, 0, Helpers.LOOP);
        dev.tcxsim.vm.VerifierException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.tcxsim.vm.VerifierException.class, () -> Modes.vm(Modes.Mode.REFERENCE).loadRaw("cycle", List.of(), loop));
        assertTrue(e.getMessage().contains("recursive"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void returnCodesAsInTheKernel(Modes.Mode mode) throws Throwable {
        CbObjects.assumeKernel();
        BpfObject obj = CbObjects.object("cb_timer");
        CbObjects.KernelRun k = CbObjects.runKernel(obj, "arm_timer", CbObjects.packet(64), "out", n -> 0);
        LoadedObject sim = Modes.vm(mode).load(obj);
        RunResult r = sim.program("arm_timer").run(new SkBuff(CbObjects.packet(64)), new TimerClock(RunEnv.DEFAULT, 0));
        assertNull(r.fault(), r.fault());
        assertEquals(k.outcome().retval(), r.returnValue());
        assertArrayEquals(codes(k.value()), codes(sim.map("out").lookup(key(0))));
    }
}
