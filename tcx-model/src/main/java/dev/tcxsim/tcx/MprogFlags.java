package dev.tcxsim.tcx;

/** The BPF_F_* bits bpf_mprog interprets (uapi values). */
public final class MprogFlags {
    private MprogFlags() {
    }

    public static final int REPLACE = 1 << 2;
    public static final int BEFORE = 1 << 3;
    public static final int AFTER = 1 << 4;
    public static final int ID = 1 << 5;
    public static final int LINK = 1 << 13;

    /** Everything tcx accepts on attach, detach and link create; any other bit is EINVAL. */
    public static final int MASK = REPLACE | BEFORE | AFTER | ID | LINK;
}
