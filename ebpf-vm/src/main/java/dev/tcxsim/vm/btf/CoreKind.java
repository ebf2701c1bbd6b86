package dev.tcxsim.vm.btf;

/**
 * The kinds of CO-RE relocation (uapi {@code enum bpf_core_relo_kind}), in their numeric order,
 * with the short names libbpf prints for them.
 */
public enum CoreKind {
    FIELD_BYTE_OFFSET("byte_off"),
    FIELD_BYTE_SIZE("byte_sz"),
    FIELD_EXISTS("field_exists"),
    FIELD_SIGNED("signed"),
    FIELD_LSHIFT_U64("lshift_u64"),
    FIELD_RSHIFT_U64("rshift_u64"),
    TYPE_ID_LOCAL("local_type_id"),
    TYPE_ID_TARGET("target_type_id"),
    TYPE_EXISTS("type_exists"),
    TYPE_SIZE("type_size"),
    ENUMVAL_EXISTS("enumval_exists"),
    ENUMVAL_VALUE("enumval_value"),
    TYPE_MATCHES("type_matches");

    private static final CoreKind[] BY_ID = values();

    private final String shortName;

    CoreKind(String shortName) {
        this.shortName = shortName;
    }

    /** The kind with this number, or null when there is none. */
    public static CoreKind ofId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    public String shortName() {
        return shortName;
    }

    public boolean fieldBased() {
        return ordinal() <= FIELD_RSHIFT_U64.ordinal();
    }

    public boolean typeBased() {
        return this == TYPE_ID_LOCAL || this == TYPE_ID_TARGET || this == TYPE_EXISTS || this == TYPE_SIZE
                || this == TYPE_MATCHES;
    }

    public boolean enumValueBased() {
        return this == ENUMVAL_EXISTS || this == ENUMVAL_VALUE;
    }
}
