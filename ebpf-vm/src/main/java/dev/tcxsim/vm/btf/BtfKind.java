package dev.tcxsim.vm.btf;

/** BTF_KIND_*: the kind number in bits 24-28 of a {@code struct btf_type}'s info word. */
public enum BtfKind {
    VOID, INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC,
    FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64;

    private static final BtfKind[] BY_ID = values();

    public int id() {
        return ordinal();
    }

    /** The kind for a number, or null when BTF has no such kind. */
    public static BtfKind ofId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
