package dev.tcxsim.vm.maps;

/** A map operation refused with a Linux errno (positive number), e.g. ENOENT 2, EEXIST 17, E2BIG 7, EINVAL 22. */
public class MapException extends Exception {
    public static final int ENOENT = 2;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int ENOMEM = 12;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOPNOTSUPP = 95;
    public static final int EPERM = 1;
    public static final int ENOTSUPP = 524;

    private final int errno;

    public MapException(int errno, String message) {
        super(message + " (errno " + errno + ")");
        this.errno = errno;
    }

    /** The positive Linux errno number. */
    public int errno() {
        return errno;
    }
}
