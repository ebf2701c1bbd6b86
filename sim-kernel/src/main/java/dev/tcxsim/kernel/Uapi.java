package dev.tcxsim.kernel;

/**
 * uapi numbers from linux/bpf.h that the Kernel API passes through unchanged, so a conformance
 * case reads like a bpf(2) call on either backend.
 */
public final class Uapi {
    private Uapi() {
    }

    // bpf(2) commands
    public static final int BPF_MAP_CREATE = 0;
    public static final int BPF_MAP_LOOKUP_ELEM = 1;
    public static final int BPF_MAP_UPDATE_ELEM = 2;
    public static final int BPF_MAP_DELETE_ELEM = 3;
    public static final int BPF_MAP_GET_NEXT_KEY = 4;
    public static final int BPF_PROG_LOAD = 5;
    public static final int BPF_OBJ_PIN = 6;
    public static final int BPF_OBJ_GET = 7;
    public static final int BPF_PROG_ATTACH = 8;
    public static final int BPF_PROG_DETACH = 9;
    public static final int BPF_PROG_TEST_RUN = 10;
    public static final int BPF_PROG_GET_NEXT_ID = 11;
    public static final int BPF_MAP_GET_NEXT_ID = 12;
    public static final int BPF_PROG_GET_FD_BY_ID = 13;
    public static final int BPF_MAP_GET_FD_BY_ID = 14;
    public static final int BPF_OBJ_GET_INFO_BY_FD = 15;
    public static final int BPF_PROG_QUERY = 16;
    public static final int BPF_BTF_LOAD = 18;
    public static final int BPF_LINK_CREATE = 28;
    public static final int BPF_LINK_UPDATE = 29;
    public static final int BPF_LINK_GET_FD_BY_ID = 30;
    public static final int BPF_LINK_GET_NEXT_ID = 31;
    public static final int BPF_LINK_DETACH = 34;

    // attach types
    public static final int BPF_TCX_INGRESS = 46;
    public static final int BPF_TCX_EGRESS = 47;
    public static final int BPF_NETKIT_PRIMARY = 54;
    public static final int BPF_NETKIT_PEER = 55;

    // link types
    public static final int BPF_LINK_TYPE_TCX = 11;

    // program types
    public static final int BPF_PROG_TYPE_SCHED_CLS = 3;
    public static final int BPF_PROG_TYPE_SCHED_ACT = 4;

    // attach flags
    public static final int BPF_F_ALLOW_OVERRIDE = 1;
    public static final int BPF_F_ALLOW_MULTI = 1 << 1;
    public static final int BPF_F_REPLACE = 1 << 2;
    public static final int BPF_F_BEFORE = 1 << 3;
    public static final int BPF_F_AFTER = 1 << 4;
    public static final int BPF_F_ID = 1 << 5;
    public static final int BPF_F_PREORDER = 1 << 6;
    public static final int BPF_F_LINK = 1 << 13;

    /** The flags tcx accepts on PROG_ATTACH, PROG_DETACH and LINK_CREATE. */
    public static final int TCX_FLAG_MASK = BPF_F_REPLACE | BPF_F_BEFORE | BPF_F_AFTER | BPF_F_ID | BPF_F_LINK;

    // redirect flags
    public static final int BPF_F_INGRESS = 1;

    /** The kernel's name for an attach type, as bpftool prints it. */
    public static String attachTypeName(int attachType) {
        return switch (attachType) {
            case BPF_TCX_INGRESS -> "tcx_ingress";
            case BPF_TCX_EGRESS -> "tcx_egress";
            case BPF_NETKIT_PRIMARY -> "netkit_primary";
            case BPF_NETKIT_PEER -> "netkit_peer";
            default -> "attach_type_" + attachType;
        };
    }

    /** Names of the set bits of an attach-flags word, e.g. "BEFORE|ID"; "0" when none. */
    public static String flagNames(int flags) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"ALLOW_OVERRIDE", "ALLOW_MULTI", "REPLACE", "BEFORE", "AFTER", "ID", "PREORDER"};
        for (int bit = 0; bit < 32; bit++) {
            if ((flags & (1 << bit)) == 0) {
                continue;
            }
            String name = bit < names.length ? names[bit] : bit == 13 ? "LINK" : "bit" + bit;
            if (!sb.isEmpty()) {
                sb.append('|');
            }
            sb.append(name);
        }
        return sb.isEmpty() ? "0" : sb.toString();
    }
}
