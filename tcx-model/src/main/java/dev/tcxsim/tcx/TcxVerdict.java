package dev.tcxsim.tcx;

/**
 * What one tcx program's return value means to the chain walk (see tcx-semantics.md, 6.4).
 *
 * <p>Only -1 lets the walk go on to the next program. 0, 2 and 7 end the walk with their own
 * meaning. Every other value also ends the walk, but the hook then behaves as if the whole chain
 * had said NEXT: classic tc runs. {@link #UNKNOWN} names that case so traces can show it.
 */
public enum TcxVerdict {
    NEXT(-1),
    PASS(0),
    DROP(2),
    REDIRECT(7),
    /** An unknown return code: the walk stops here, then the hook continues as for NEXT. */
    UNKNOWN(Integer.MIN_VALUE);

    private final int code;

    TcxVerdict(int code) {
        this.code = code;
    }

    /** The uapi value (TCX_NEXT = -1, ...); {@link #UNKNOWN} has none. */
    public int code() {
        return code;
    }

    /** Maps a program's 32-bit return value the way the kernel's tcx_run does. */
    public static TcxVerdict of(int returnValue) {
        return switch (returnValue) {
            case -1 -> NEXT;
            case 0 -> PASS;
            case 2 -> DROP;
            case 7 -> REDIRECT;
            default -> UNKNOWN;
        };
    }

    /** True when the walk goes on to the next program of the chain. */
    public boolean continuesChain() {
        return this == NEXT;
    }

    /** True when the hook falls back to classic tc after the walk ended with this verdict. */
    public boolean fallsThroughToClassic() {
        return this == NEXT || this == UNKNOWN;
    }
}
