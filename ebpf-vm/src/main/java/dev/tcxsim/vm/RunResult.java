package dev.tcxsim.vm;

/**
 * The outcome of one program run.
 *
 * @param r0            the program's return value register
 * @param redirect      null unless a redirect helper was called successfully (the last call wins)
 * @param fault         null, or why the program was stopped, e.g.
 *                      {@code insn 12 (line foo.c:33): load of 4 bytes at packet+1500 is out of bounds (packet is 64 bytes)}
 * @param insnsExecuted instructions executed, tail-called programs and sub-programs included
 */
public record RunResult(long r0, Redirect redirect, String fault, long insnsExecuted) {
    /** The program's verdict as the kernel sees it: the low 32 bits of r0. */
    public int returnValue() {
        return (int) r0;
    }

    public boolean faulted() {
        return fault != null;
    }

    /** A redirect requested by bpf_redirect, bpf_redirect_peer or bpf_redirect_neigh. */
    public record Redirect(int ifindex, long flags, Kind kind) {
        public enum Kind { REDIRECT, PEER, NEIGH }
    }
}
