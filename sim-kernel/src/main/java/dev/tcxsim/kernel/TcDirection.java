package dev.tcxsim.kernel;

/** A tc hook direction; each maps to its tcx attach type. */
public enum TcDirection {
    INGRESS(Uapi.BPF_TCX_INGRESS),
    EGRESS(Uapi.BPF_TCX_EGRESS);

    private final int attachType;

    TcDirection(int attachType) {
        this.attachType = attachType;
    }

    /** BPF_TCX_INGRESS (46) or BPF_TCX_EGRESS (47). */
    public int attachType() {
        return attachType;
    }

    /** The direction of a tcx attach type, or null for any other attach type. */
    public static TcDirection ofAttachType(int attachType) {
        return switch (attachType) {
            case Uapi.BPF_TCX_INGRESS -> INGRESS;
            case Uapi.BPF_TCX_EGRESS -> EGRESS;
            default -> null;
        };
    }
}
