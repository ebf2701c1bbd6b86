package dev.tcxsim.linux.ffm;

/** Symbolic names of the errno values the bindings meet most, for messages. */
final class ErrnoNames {
    private static final String[] NAMES = new String[135];

    static {
        String[][] known = {
            {"1", "EPERM"}, {"2", "ENOENT"}, {"3", "ESRCH"}, {"4", "EINTR"}, {"5", "EIO"}, {"7", "E2BIG"},
            {"9", "EBADF"}, {"11", "EAGAIN"}, {"12", "ENOMEM"}, {"13", "EACCES"}, {"14", "EFAULT"},
            {"16", "EBUSY"}, {"17", "EEXIST"}, {"18", "EXDEV"}, {"19", "ENODEV"}, {"20", "ENOTDIR"},
            {"21", "EISDIR"}, {"22", "EINVAL"}, {"24", "EMFILE"}, {"28", "ENOSPC"}, {"33", "EDOM"},
            {"34", "ERANGE"}, {"36", "ENAMETOOLONG"}, {"38", "ENOSYS"}, {"39", "ENOTEMPTY"}, {"40", "ELOOP"},
            {"67", "ENOLINK"}, {"71", "EPROTO"}, {"75", "EOVERFLOW"}, {"77", "EBADFD"}, {"95", "EOPNOTSUPP"},
            {"97", "EAFNOSUPPORT"}, {"98", "EADDRINUSE"}, {"99", "EADDRNOTAVAIL"}, {"100", "ENETDOWN"},
            {"105", "ENOBUFS"}, {"110", "ETIMEDOUT"}, {"116", "ESTALE"},
        };
        for (String[] k : known) {
            NAMES[Integer.parseInt(k[0])] = k[1];
        }
    }

    private ErrnoNames() {
    }

    static String name(int errno) {
        if (errno == 524) {
            return "ENOTSUPP";
        }
        return errno > 0 && errno < NAMES.length && NAMES[errno] != null ? NAMES[errno] : "errno " + errno;
    }
}
