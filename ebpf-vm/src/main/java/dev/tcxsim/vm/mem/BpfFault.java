package dev.tcxsim.vm.mem;

/**
 * Stops a running program: a bad memory access, an exhausted instruction budget, a helper called
 * with arguments the kernel's verifier would have refused. The run ends with
 * {@code RunResult.fault} = "insn N (line file:L): " + {@link #getMessage()}.
 */
public final class BpfFault extends RuntimeException {
    private final int pc;

    public BpfFault(int pc, String message) {
        super(message, null, false, false);
        this.pc = pc;
    }

    /** Index of the faulting instruction in the program's flat instruction array. */
    public int pc() {
        return pc;
    }
}
