package dev.tcxsim.tcx;

/** A refused mprog/tcx operation: the errno the kernel returns, and why. */
public final class MprogException extends Exception {
    private final Errno errno;

    public MprogException(Errno errno, String why) {
        super(errno.name() + ": " + why);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
