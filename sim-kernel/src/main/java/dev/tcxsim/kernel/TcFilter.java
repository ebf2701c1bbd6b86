package dev.tcxsim.kernel;

/** One classic cls_bpf filter as {@code tc filter show} lists it. */
public record TcFilter(int prio, int handle, int progId, String progName, boolean directAction) {
}
