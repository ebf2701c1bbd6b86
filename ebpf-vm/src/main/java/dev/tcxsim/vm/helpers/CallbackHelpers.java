package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.Executor;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.mem.RunState;

import java.util.Arrays;

/**
 * Helpers that call back into the program: bpf_loop (kernel/bpf/bpf_iter.c). A callback is a BPF
 * function of the running program, passed as the address an LD_IMM64 with BPF_PSEUDO_FUNC loads;
 * it runs in a stack frame of its own one level below the helper's caller, so it counts toward
 * the 8-frame limit, and its instructions count toward the run's budget.
 */
public final class CallbackHelpers {
    /** BPF_MAX_LOOPS: the most iterations bpf_loop accepts. */
    public static final long MAX_LOOPS = 8L * 1024 * 1024;
    static final int EINVAL = 22, E2BIG = 7;

    private CallbackHelpers() {
    }

    /** One way to call a callback function, fixed for the duration of one helper call. */
    record Callback(RunState st, Executor executor, int insn, int depth) {
        long call(long r1, long r2, long r3, long r4, long r5) {
            return executor.callFunction(st, insn, r1, r2, r3, r4, r5, depth);
        }
    }

    /**
     * Checks that {@code fn} is the address of a function of the running program and finds the
     * frame the callback runs in. The kernel's verifier refuses a program whose callback would
     * nest deeper than 8 frames; here that stops the program.
     */
    static Callback callback(RunState st, long fn, int pc, String who) {
        int insn = Ptr.offset(fn);
        if (Ptr.tag(fn) != Ptr.FUNC || Arrays.binarySearch(st.current.functionStarts(), insn) < 0) {
            throw new BpfFault(pc, who + ": the callback argument (0x" + Long.toHexString(fn)
                    + ") is not the address of a BPF function of this program");
        }
        Executor executor = st.current.executor();
        int depth = executor.helperCallerDepth(st) + 1;
        if (depth >= RunState.MAX_FRAMES) {
            throw new BpfFault(pc, who + ": the callback would run " + (depth + 1) + " frames deep, more than "
                    + RunState.MAX_FRAMES);
        }
        return new Callback(st, executor, insn, depth);
    }

    /**
     * bpf_loop(nr_loops, callback_fn, callback_ctx, flags): calls {@code callback_fn(i, ctx)} for
     * i = 0 .. nr_loops-1 until it returns non-zero. Returns the number of calls made, -EINVAL for
     * non-zero flags, -E2BIG as a u32 for more than {@link #MAX_LOOPS} iterations (nr_loops is a u32).
     */
    static long loop(RunState st, long nrLoops, long fn, long ctx, long flags, int pc) {
        String who = Helpers.describe(Helpers.LOOP);
        Callback cb = callback(st, fn, pc, who);
        if (flags != 0) {
            return -EINVAL;
        }
        long n = nrLoops & 0xffffffffL;
        if (n > MAX_LOOPS) {
            // With flags 0 and one callback per call site the kernel's verifier inlines bpf_loop
            // (inline_bpf_loop), and the inlined code sets r0 = -E2BIG with a 32-bit move: the
            // program sees 0xfffffff9, not -7. Flags that are 0 only at run time are the one case
            // where the kernel would call the helper and return -7.
            return -E2BIG & 0xffffffffL;
        }
        for (long i = 0; i < n; i++) {
            if (cb.call(i, ctx, 0, 0, 0) != 0) {
                return i + 1;
            }
        }
        return n;
    }
}
