package dev.tcxsim.vm.btf;

import java.util.ArrayList;
import java.util.List;

/**
 * What a CO-RE relocation refers to, in one BTF (libbpf's bpf_core_spec). The access string
 * "0:1:2:3" is the raw spec: the first number indexes the root type as an array (p[0]), each
 * further one a member of a struct/union or an element of an array. The high-level accessors
 * keep only the points that matter when matching another BTF: the root index, every named member
 * and every array index; anonymous structs and unions on the way are skipped (their members
 * are looked for by name in the other BTF, at whatever depth).
 *
 * @param accessors   high-level accessors; {@code name} is null for an array index (and the root)
 * @param raw         the low-level spec: one index per level, anonymous members included
 * @param bitOffset   bit offset of the accessed field from the start of the root object
 */
record CoreSpec(Btf btf, int rootTypeId, CoreKind kind, List<Accessor> accessors, List<Integer> raw, long bitOffset) {
    /** libbpf's BPF_CORE_SPEC_MAX_LEN. */
    static final int MAX_LEN = 64;

    /** One turning point: member {@code idx} of {@code typeId} (named), or element {@code idx} of an array. */
    record Accessor(int typeId, int idx, String name) {
    }

    /** A spec for type-based relocations: no access, only the root. */
    static CoreSpec typeOnly(Btf btf, int rootTypeId, CoreKind kind) {
        return new CoreSpec(btf, rootTypeId, kind, List.of(), List.of(), 0);
    }

    /** Parses a relocation's access string against the object's own BTF (bpf_core_parse_spec). */
    static CoreSpec parseLocal(Btf btf, int rootTypeId, CoreKind kind, String access) throws CoreException {
        if (access.isEmpty() || access.charAt(0) == ':') {
            throw new CoreException("access string \"" + access + "\" is empty or starts with ':'");
        }
        if (kind.typeBased()) {
            if (!access.equals("0")) {
                throw new CoreException("a " + kind.shortName() + " relocation needs access string \"0\", not \""
                        + access + "\"");
            }
            return typeOnly(btf, rootTypeId, kind);
        }
        List<Integer> raw = parseAccess(access);
        try {
            int id = btf.skipModifiers(rootTypeId);
            BtfType t = btf.type(id);
            List<Accessor> acc = new ArrayList<>();
            int first = raw.getFirst();
            if (kind.enumValueBased()) {
                if (!(t instanceof BtfType.Enum e) || raw.size() > 1 || first >= e.values().size()) {
                    throw new CoreException("access string \"" + access + "\" does not name a value of an enum (type id "
                            + rootTypeId + " is " + describe(btf, rootTypeId) + ")");
                }
                acc.add(new Accessor(id, first, e.values().get(first).name()));
                return new CoreSpec(btf, rootTypeId, kind, acc, raw, 0);
            }
            acc.add(new Accessor(id, first, null));
            long bitOffset = (long) first * btf.sizeOf(id) * 8;
            for (int i = 1; i < raw.size(); i++) {
                id = btf.skipModifiers(id);
                t = btf.type(id);
                int idx = raw.get(i);
                if (t instanceof BtfType.Composite c) {
                    if (idx >= c.members().size()) {
                        throw new CoreException("access string \"" + access + "\": member " + idx + " of "
                                + describe(btf, id) + ", which has " + c.members().size());
                    }
                    BtfType.Member m = c.members().get(idx);
                    bitOffset += m.bitOffset();
                    if (!m.name().isEmpty()) {
                        acc.add(new Accessor(id, idx, m.name()));
                    }
                    id = m.type();
                } else if (t instanceof BtfType.Array a) {
                    boolean flex = isFlexibleArray(btf, acc.getLast(), a);
                    id = btf.skipModifiers(a.elemType());
                    if (!flex && Integer.toUnsignedLong(idx) >= Integer.toUnsignedLong(a.elemCount())) {
                        throw new CoreException("access string \"" + access + "\": index " + idx + " of an array of "
                                + Integer.toUnsignedString(a.elemCount()));
                    }
                    acc.add(new Accessor(id, idx, null));
                    bitOffset += (long) idx * btf.sizeOf(id) * 8;
                } else {
                    throw new CoreException("access string \"" + access + "\": level " + i + " reaches "
                            + describe(btf, id) + ", which has neither members nor elements");
                }
            }
            return new CoreSpec(btf, rootTypeId, kind, acc, raw, bitOffset);
        } catch (BtfFormatException e) {
            throw new CoreException("access string \"" + access + "\": " + e.detail());
        }
    }

    private static List<Integer> parseAccess(String access) throws CoreException {
        List<Integer> raw = new ArrayList<>();
        for (String part : access.split(":", -1)) {
            if (part.isEmpty() || part.length() > 9 || !part.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw new CoreException("access string \"" + access + "\" is not numbers separated by ':'");
            }
            if (raw.size() == MAX_LEN) {
                throw new CoreException("access string \"" + access + "\" is longer than " + MAX_LEN + " levels");
            }
            raw.add(Integer.parseInt(part));
        }
        return raw;
    }

    /** An array of zero elements that is the last member of the struct holding it. */
    static boolean isFlexibleArray(Btf btf, Accessor enclosing, BtfType.Array a) {
        if (enclosing.name() == null || a.elemCount() != 0) {
            return false;
        }
        return btf.type(enclosing.typeId()) instanceof BtfType.Composite c && enclosing.idx() == c.members().size() - 1;
    }

    /** "struct sk_buff" or "[12] INT" style, for messages. */
    static String describe(Btf btf, int id) {
        if (!btf.hasType(id)) {
            return "type id " + Integer.toUnsignedString(id);
        }
        BtfType t = btf.type(id);
        String kind = switch (t.kind()) {
            case STRUCT -> "struct";
            case UNION -> "union";
            case ENUM, ENUM64 -> "enum";
            case TYPEDEF -> "typedef";
            default -> t.kind().name().toLowerCase();
        };
        return "[" + id + "] " + kind + " " + (t.name().isEmpty() ? "<anon>" : t.name());
    }

    /** libbpf's spec format: "[7] struct sk_buff.mark (0:12 @ offset 168)". */
    String format() {
        StringBuilder sb = new StringBuilder(describe(btf, rootTypeId));
        if (kind.typeBased()) {
            return sb.toString();
        }
        if (kind.enumValueBased()) {
            return sb.append("::").append(accessors.getFirst().name()).toString();
        }
        for (int i = 0; i < accessors.size(); i++) {
            Accessor a = accessors.get(i);
            if (a.name() != null) {
                sb.append('.').append(a.name());
            } else if (i > 0 || a.idx() > 0) {
                sb.append('[').append(a.idx()).append(']');
            }
        }
        sb.append(" (");
        for (int i = 0; i < raw.size(); i++) {
            sb.append(i == 0 ? "" : ":").append(raw.get(i));
        }
        sb.append(" @ offset ").append(bitOffset / 8);
        if (bitOffset % 8 != 0) {
            sb.append('.').append(bitOffset % 8);
        }
        return sb.append(')').toString();
    }
}
