package dev.tcxsim.vm;

import dev.tcxsim.vm.mem.RunState;

/** Runs a loaded program's entry function: the reference interpreter or the Truffle interpreter. */
public interface Executor {
    /**
     * Executes the program from instruction 0 with {@code r1} as its first argument and its stack
     * frame at call depth {@code depth} (0 for a run, the caller's depth for a tail call).
     * Returns r0; a fault comes as {@code BpfFault}.
     */
    long execute(RunState state, long r1, int depth);

    /**
     * Calls the BPF function that starts at instruction {@code insn} (a function start the
     * verifier found) with r1-r5, its stack frame at call depth {@code depth}, and returns its r0.
     * This is how helpers run callbacks (bpf_loop, for_each_map_elem, timers): the callback gets
     * a frame of its own, counts toward the {@link RunState#MAX_FRAMES} limit through
     * {@code depth}, and its instructions are taken from the run's budget.
     */
    long callFunction(RunState state, int insn, long r1, long r2, long r3, long r4, long r5, int depth);

    /**
     * For a helper that is about to run callbacks: the call depth of the BPF function that called
     * it on this thread (0 for the entry function). Also brings {@code state.insns} up to the
     * instructions that function has run so far, so that callbacks start counting from there.
     */
    int helperCallerDepth(RunState state);

    /**
     * Calls the BPF function at {@code insn} with r1-r3 in the entry frame (depth 0) from Java code
     * that is not inside a run, such as a bpf_timer firing when the simulated clock advances.
     */
    long callFromHost(RunState state, int insn, long r1, long r2, long r3);
}
