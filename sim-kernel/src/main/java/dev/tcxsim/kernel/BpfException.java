package dev.tcxsim.kernel;

import dev.tcxsim.tcx.Errno;

/** A failed kernel call: the errno the kernel returned, and a message naming the call and the reason. */
public final class BpfException extends Exception {
    private final Errno errno;

    public BpfException(Errno errno, String message) {
        super(errno.name() + ": " + message);
        this.errno = errno;
    }

    /** For backends that get a raw errno number (the real kernel); a number tcxsim does not know becomes EIO, with the number in the message. */
    public static BpfException ofNumber(int errnoNumber, String message) {
        Errno e = Errno.of(errnoNumber);
        return e != null ? new BpfException(e, message) : new BpfException(Errno.EIO, message + " (errno " + errnoNumber + ")");
    }

    public Errno errno() {
        return errno;
    }
}
