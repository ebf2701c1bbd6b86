package dev.tcxsim.linux.ffm;

/** A failed libc or kernel call: the call (with its key arguments) and the errno it returned. */
public final class ErrnoException extends Exception {
    private final String call;
    private final int errno;

    public ErrnoException(String call, int errno) {
        this(call, errno, null);
    }

    /** {@code detail} (a verifier log tail, a netlink extended ack) is appended to the message. */
    public ErrnoException(String call, int errno, String detail) {
        super(call + " failed: errno " + errno + " (" + errnoName(errno) + ")"
                + (detail == null || detail.isBlank() ? "" : ": " + detail));
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    /** The positive errno number. */
    public int errno() {
        return errno;
    }

    /** "EBUSY", or "errno N" for a number tcxsim does not name. */
    static String errnoName(int errno) {
        dev.tcxsim.tcx.Errno e = dev.tcxsim.tcx.Errno.of(errno);
        return e == null ? "errno " + errno : e.name();
    }
}
