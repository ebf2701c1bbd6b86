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
}
