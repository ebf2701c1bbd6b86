package dev.tcxsim.vm.btf;

import java.util.ArrayList;
import java.util.List;

/**
 * Computes what one CO-RE relocation means on a target kernel, as libbpf's relo_core.c does:
 * the value the compiler put in the instruction (from the object's own BTF, the "local" spec)
 * and the value it must hold on the target. Candidates are the target's types of a compatible
 * kind whose essential names (without "___flavor") equal the local root type's; every candidate
 * that matches structurally must give the same answer. When none matches, existence checks
 * resolve to 0 and everything else is "poisoned": the caller replaces the instruction by one
 * that fails if it is ever reached.
 */
public final class CoreResolver {
    /** libbpf's depth limit for type comparisons. */
    private static final int MAX_DEPTH = 32;

    /**
     * The outcome for one relocation. {@code validate}: the instruction must hold {@code origVal}
     * before patching. {@code origSize}/{@code newSize}: the field's size locally and on the
     * target, for loads and stores (0 when not applicable); {@code failMemSizeAdjust}: they differ
     * in a way a load cannot absorb. {@code local} and {@code target} describe the specs.
     */
    public record Result(CoreKind kind, long origVal, long newVal, boolean poison, boolean validate,
                         boolean failMemSizeAdjust, int origSize, int newSize, String local, String target) {
    }

    private record FieldValue(long val, int size, int typeId) {
    }

    private final Btf local;
    private final TargetBtf target;

    private CoreResolver(Btf local, TargetBtf target) {
        this.local = local;
        this.target = target;
    }

    /** Resolves one relocation of {@code local}'s object against {@code target}. */
    public static Result resolve(Btf local, BtfExt.CoreRecord r, TargetBtf target) throws CoreException {
        return new CoreResolver(local, target).resolve(r);
    }

    private Result resolve(BtfExt.CoreRecord r) throws CoreException {
        CoreKind kind = CoreKind.ofId(r.kind());
        if (kind == null) {
            throw new CoreException("unknown CO-RE relocation kind " + r.kind());
        }
        if (r.typeId() == 0 || !local.hasType(Integer.toUnsignedLong(r.typeId()))) {
            throw new CoreException(kind.shortName() + " relocation names type id " + Integer.toUnsignedString(r.typeId())
                    + ", which is not a type of the object's .BTF (" + local.typeCount() + " types)");
        }
        String access = local.stringAt(r.accessStrOff()).orElseThrow(() -> new CoreException(
                "access string offset " + r.accessStrOff() + " is not a string of .BTF"));
        CoreSpec localSpec = CoreSpec.parseLocal(local, r.typeId(), kind, access);
        if (kind == CoreKind.TYPE_ID_LOCAL) {
            return new Result(kind, r.typeId(), r.typeId(), false, false, false, 0, 0, localSpec.format(), "local");
        }
        BtfType localType = local.type(r.typeId());
        if (localType.name().isEmpty()) {
            throw new CoreException(kind.shortName() + " relocation against " + localSpec.format()
                    + ": CO-RE does not relocate anonymous types");
        }
        Btf targ = target.btf();
        Result chosen = null;
        CoreSpec chosenSpec = null;
        for (int cand : target.named(TargetBtf.essentialName(localType.name()))) {
            if (!kindCompatible(localType, targ.type(cand))) {
                continue;
            }
            CoreSpec candSpec = match(localSpec, cand);
            if (candSpec == null) {
                continue;
            }
            Result res = calc(kind, localSpec, candSpec);
            if (chosen == null) {
                chosen = res;
                chosenSpec = candSpec;
            } else if (candSpec.bitOffset() != chosenSpec.bitOffset()) {
                throw new CoreException("field offset ambiguity for " + localSpec.format() + ": " + chosenSpec.format()
                        + " and " + candSpec.format() + " in " + target.source());
            } else if (res.poison() != chosen.poison() || res.newVal() != chosen.newVal()) {
                throw new CoreException("relocation decision ambiguity for " + localSpec.format() + ": "
                        + chosenSpec.format() + " gives " + chosen.newVal() + ", " + candSpec.format() + " gives "
                        + res.newVal() + " in " + target.source());
            }
        }
        return chosen != null ? chosen : calc(kind, localSpec, null);
    }

    /**
     * libbpf's bpf_core_types_are_compat between a type of {@code local} and one of the target:
     * how an extern kfunc's prototype is checked against the kernel's.
     */
    public static boolean compatible(Btf local, int localId, TargetBtf target, int targetId) throws CoreException {
        try {
            return new CoreResolver(local, target).typesCompatible(localId, targetId);
        } catch (BtfFormatException e) {
            throw new CoreException(e.detail());
        }
    }

    private static boolean kindCompatible(BtfType a, BtfType b) {
        return a.kind() == b.kind() || a instanceof BtfType.Enum && b instanceof BtfType.Enum;
    }

    // ---- matching a local spec against one candidate (bpf_core_spec_match) ----

    private CoreSpec match(CoreSpec localSpec, int candId) throws CoreException {
        Btf targ = target.btf();
        CoreKind kind = localSpec.kind();
        try {
            if (kind.typeBased()) {
                boolean ok = kind == CoreKind.TYPE_MATCHES
                        ? typesMatch(localSpec.rootTypeId(), candId, false, MAX_DEPTH)
                        : typesCompatible(localSpec.rootTypeId(), candId);
                return ok ? CoreSpec.typeOnly(targ, candId, kind) : null;
            }
            CoreSpec.Accessor first = localSpec.accessors().getFirst();
            if (kind.enumValueBased()) {
                int id = targ.skipModifiers(candId);
                if (!(targ.type(id) instanceof BtfType.Enum e)) {
                    return null;
                }
                String want = TargetBtf.essentialName(first.name());
                for (int i = 0; i < e.values().size(); i++) {
                    if (TargetBtf.essentialName(e.values().get(i).name()).equals(want)) {
                        return new CoreSpec(targ, candId, kind, List.of(new CoreSpec.Accessor(id, i,
                                e.values().get(i).name())), List.of(i), 0);
                    }
                }
                return null;
            }
            List<CoreSpec.Accessor> acc = new ArrayList<>();
            List<Integer> raw = new ArrayList<>();
            long[] bitOffset = {0};
            int[] id = {candId};
            for (int i = 0; i < localSpec.accessors().size(); i++) {
                CoreSpec.Accessor la = localSpec.accessors().get(i);
                id[0] = targ.skipModifiers(id[0]);
                BtfType t = targ.type(id[0]);
                if (la.name() != null) {
                    if (!matchMember(la, id[0], acc, raw, bitOffset, id, 0)) {
                        return null;
                    }
                    continue;
                }
                if (i > 0) {
                    if (!(t instanceof BtfType.Array a)) {
                        return null;
                    }
                    boolean flex = CoreSpec.isFlexibleArray(targ, acc.getLast(), a);
                    if (!flex && Integer.toUnsignedLong(la.idx()) >= Integer.toUnsignedLong(a.elemCount())) {
                        return null;
                    }
                    id[0] = targ.skipModifiers(a.elemType());
                }
                if (raw.size() == CoreSpec.MAX_LEN) {
                    throw new CoreException("target spec for " + localSpec.format() + " nests deeper than "
                            + CoreSpec.MAX_LEN);
                }
                acc.add(new CoreSpec.Accessor(id[0], la.idx(), null));
                raw.add(la.idx());
                bitOffset[0] += (long) la.idx() * targ.sizeOf(id[0]) * 8;
            }
            return new CoreSpec(targ, candId, kind, acc, raw, bitOffset[0]);
        } catch (BtfFormatException e) {
            throw new CoreException("target BTF " + target.source() + ": " + e.detail());
        }
    }

    /**
     * Looks for the member named like local accessor {@code la} in target composite {@code targId},
     * descending into anonymous members; appends the path on success (bpf_core_match_member).
     */
    private boolean matchMember(CoreSpec.Accessor la, int targId, List<CoreSpec.Accessor> acc, List<Integer> raw,
                                long[] bitOffset, int[] nextId, int depth) throws BtfFormatException, CoreException {
        Btf targ = target.btf();
        targId = targ.skipModifiers(targId);
        if (!(targ.type(targId) instanceof BtfType.Composite c) || depth > MAX_DEPTH) {
            return false;
        }
        BtfType.Member localMember = ((BtfType.Composite) local.type(la.typeId())).members().get(la.idx());
        for (int i = 0; i < c.members().size(); i++) {
            BtfType.Member m = c.members().get(i);
            if (raw.size() == CoreSpec.MAX_LEN) {
                throw new CoreException("target member path for '" + la.name() + "' nests deeper than " + CoreSpec.MAX_LEN);
            }
            bitOffset[0] += m.bitOffset();
            raw.add(i);
            if (m.name().isEmpty()) {
                if (matchMember(la, m.type(), acc, raw, bitOffset, nextId, depth + 1)) {
                    return true;
                }
            } else if (m.name().equals(localMember.name())) {
                nextId[0] = m.type();
                if (fieldsCompatible(localMember.type(), m.type())) {
                    acc.add(new CoreSpec.Accessor(targId, i, m.name()));
                    return true;
                }
                return false;
            }
            bitOffset[0] -= m.bitOffset();
            raw.removeLast();
        }
        return false;
    }

    /** bpf_core_fields_are_compat: may a local field of this type be relocated to a target field of that type? */
    private boolean fieldsCompatible(int localId, int targId) throws BtfFormatException {
        Btf targ = target.btf();
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            localId = local.skipModifiers(localId);
            targId = targ.skipModifiers(targId);
            BtfType l = local.type(localId);
            BtfType t = targ.type(targId);
            if (l instanceof BtfType.Composite && t instanceof BtfType.Composite) {
                return true;
            }
            if (!kindCompatible(l, t)) {
                return false;
            }
            switch (l) {
                case BtfType.Ref r when r.kind() == BtfKind.PTR -> {
                    return true;
                }
                case BtfType.Float f -> {
                    return true;
                }
                case BtfType.Fwd f -> {
                    return namesCompatible(l.name(), t.name());
                }
                case BtfType.Enum e -> {
                    return namesCompatible(l.name(), t.name());
                }
                case BtfType.Int i -> {
                    return i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0;
                }
                case BtfType.Array a -> {
                    localId = a.elemType();
                    targId = ((BtfType.Array) t).elemType();
                }
                default -> {
                    return false;
                }
            }
        }
        return false;
    }

    /** One of the two is anonymous, or both have the same essential name. */
    private static boolean namesCompatible(String a, String b) {
        return a.isEmpty() || b.isEmpty() || TargetBtf.essentialName(a).equals(TargetBtf.essentialName(b));
    }

    /** __bpf_core_types_are_compat: the loose check behind type_exists, type_size and target_type_id. */
    private boolean typesCompatible(int localId, int targId) throws BtfFormatException {
        return typesCompatible(localId, targId, MAX_DEPTH);
    }

    private boolean typesCompatible(int localId, int targId, int level) throws BtfFormatException {
        Btf targ = target.btf();
        if (!kindCompatible(local.type(localId), targ.type(targId))) {
            return false;
        }
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            localId = local.skipModifiers(localId);
            targId = targ.skipModifiers(targId);
            BtfType l = local.type(localId);
            BtfType t = targ.type(targId);
            if (!kindCompatible(l, t)) {
                return false;
            }
            switch (l) {
                case BtfType.Void v -> {
                    return true;
                }
                case BtfType.Composite c -> {
                    return true;
                }
                case BtfType.Enum e -> {
                    return true;
                }
                case BtfType.Fwd f -> {
                    return true;
                }
                case BtfType.Int i -> {
                    return i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0;
                }
                case BtfType.Ref r when r.kind() == BtfKind.PTR -> {
                    localId = r.type();
                    targId = ((BtfType.Ref) t).type();
                }
                case BtfType.Array a -> {
                    localId = a.elemType();
                    targId = ((BtfType.Array) t).elemType();
                }
                case BtfType.FuncProto p -> {
                    BtfType.FuncProto q = (BtfType.FuncProto) t;
                    if (p.params().size() != q.params().size() || level <= 0) {
                        return false;
                    }
                    for (int i = 0; i < p.params().size(); i++) {
                        if (!typesCompatible(local.skipModifiers(p.params().get(i).type()),
                                targ.skipModifiers(q.params().get(i).type()), level - 1)) {
                            return false;
                        }
                    }
                    localId = p.returnType();
                    targId = q.returnType();
                }
                default -> {
                    return false;
                }
            }
        }
        return false;
    }

    /** __bpf_core_types_match: the stricter check behind bpf_core_type_matches(). */
    private boolean typesMatch(int localId, int targId, boolean behindPtr, int level) throws BtfFormatException {
        Btf targ = target.btf();
        if (level <= 0) {
            return false;
        }
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            localId = local.skipModifiers(localId);
            targId = targ.skipModifiers(targId);
            BtfType l = local.type(localId);
            BtfType t = targ.type(targId);
            if (!namesMatch(l.kind() == BtfKind.VOID ? "" : l.name(), t.kind() == BtfKind.VOID ? "" : t.name())) {
                return false;
            }
            switch (l) {
                case BtfType.Void v -> {
                    return t.kind() == BtfKind.VOID;
                }
                case BtfType.Fwd f -> {
                    if (behindPtr && t instanceof BtfType.Composite c) {
                        return (c.kind() == BtfKind.UNION) == f.union();
                    }
                    return t instanceof BtfType.Fwd g && g.union() == f.union();
                }
                case BtfType.Enum e -> {
                    return t instanceof BtfType.Enum g && enumsMatch(e, g);
                }
                case BtfType.Composite c -> {
                    if (behindPtr) {
                        return l.kind() == t.kind() || t instanceof BtfType.Fwd g && g.union() == (c.kind() == BtfKind.UNION);
                    }
                    return l.kind() == t.kind() && compositesMatch(c, (BtfType.Composite) t, level);
                }
                case BtfType.Int i -> {
                    return t instanceof BtfType.Int j && i.size() == j.size()
                            && (i.encoding() & 1) == (j.encoding() & 1);
                }
                case BtfType.Ref r when r.kind() == BtfKind.PTR -> {
                    if (!(t instanceof BtfType.Ref q) || q.kind() != BtfKind.PTR) {
                        return false;
                    }
                    behindPtr = true;
                    localId = r.type();
                    targId = q.type();
                }
                case BtfType.Array a -> {
                    if (!(t instanceof BtfType.Array b) || a.elemCount() != b.elemCount()) {
                        return false;
                    }
                    localId = a.elemType();
                    targId = b.elemType();
                }
                case BtfType.FuncProto p -> {
                    if (!(t instanceof BtfType.FuncProto q) || p.params().size() != q.params().size()) {
                        return false;
                    }
                    for (int i = 0; i < p.params().size(); i++) {
                        if (!typesMatch(p.params().get(i).type(), q.params().get(i).type(), behindPtr, level - 1)) {
                            return false;
                        }
                    }
                    localId = p.returnType();
                    targId = q.returnType();
                }
                default -> {
                    return false;
                }
            }
        }
        return false;
    }

    /** bpf_core_names_match: an anonymous target matches only an anonymous local; else essential names. */
    private static boolean namesMatch(String localName, String targName) {
        if (targName.isEmpty()) {
            return localName.isEmpty();
        }
        return TargetBtf.essentialName(localName).equals(TargetBtf.essentialName(targName));
    }

    private static boolean enumsMatch(BtfType.Enum l, BtfType.Enum t) {
        if (l.size() != t.size() || l.values().size() > t.values().size()) {
            return false;
        }
        for (BtfType.EnumValue v : l.values()) {
            if (t.values().stream().noneMatch(w -> namesMatch(v.name(), w.name()))) {
                return false;
            }
        }
        return true;
    }

    private boolean compositesMatch(BtfType.Composite l, BtfType.Composite t, int level) throws BtfFormatException {
        if (l.members().size() > t.members().size()) {
            return false;
        }
        for (BtfType.Member lm : l.members()) {
            boolean matched = false;
            for (BtfType.Member tm : t.members()) {
                if (namesMatch(lm.name(), tm.name()) && typesMatch(lm.type(), tm.type(), false, level - 1)) {
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                return false;
            }
        }
        return true;
    }

    // ---- values (bpf_core_calc_relo) ----

    private Result calc(CoreKind kind, CoreSpec localSpec, CoreSpec targSpec) throws CoreException {
        String localText = localSpec.format();
        String targText = targSpec == null ? "no match in " + target.source() : targSpec.format();
        try {
            if (kind.fieldBased()) {
                FieldValue orig = fieldValue(kind, localSpec);
                boolean validate = fieldValidate(kind, localSpec);
                FieldValue now = targSpec == null && kind != CoreKind.FIELD_EXISTS ? null : fieldValue(kind, targSpec);
                if (now == null) {
                    return new Result(kind, orig.val(), 0, true, validate, false, orig.size(), 0, localText, targText);
                }
                boolean failAdjust = false;
                if (orig.size() != now.size()) {
                    BtfType ot = local.type(orig.typeId());
                    BtfType nt = target.btf().type(now.typeId());
                    boolean pointers = ot.kind() == BtfKind.PTR && nt.kind() == BtfKind.PTR;
                    boolean unsignedInts = ot instanceof BtfType.Int oi && nt instanceof BtfType.Int ni
                            && oi.encoding() != 1 && ni.encoding() != 1;
                    failAdjust = !pointers && !unsignedInts;
                }
                return new Result(kind, orig.val(), now.val(), false, validate, failAdjust, orig.size(), now.size(),
                        localText, targText);
            }
            if (kind.typeBased()) {
                long orig = typeValue(kind, localSpec);
                // Every type-based kind gives 0 for a type the target lacks: no poisoning.
                return new Result(kind, orig, typeValue(kind, targSpec), false, kind != CoreKind.TYPE_ID_TARGET, false, 0, 0, localText,
                        targText);
            }
            long orig = enumValue(kind, localSpec);
            if (targSpec == null && kind == CoreKind.ENUMVAL_VALUE) {
                return new Result(kind, orig, 0, true, true, false, 0, 0, localText, targText);
            }
            return new Result(kind, orig, enumValue(kind, targSpec), false, true, false, 0, 0, localText, targText);
        } catch (BtfFormatException e) {
            throw new CoreException(localText + ": " + e.detail());
        }
    }

    /** Whether the compiler's value can be trusted to check the instruction (not for bitfield offsets and sizes). */
    private static boolean fieldValidate(CoreKind kind, CoreSpec spec) {
        if (kind == CoreKind.FIELD_EXISTS || kind == CoreKind.FIELD_SIGNED || kind == CoreKind.FIELD_RSHIFT_U64) {
            return true;
        }
        CoreSpec.Accessor last = spec.accessors().getLast();
        if (last.name() == null) {
            return true;
        }
        BtfType.Composite c = (BtfType.Composite) spec.btf().type(last.typeId());
        return c.members().get(last.idx()).bitfieldSize() == 0;
    }

    /** bpf_core_calc_field_relo for a found spec ({@code spec} null only for FIELD_EXISTS). */
    private static FieldValue fieldValue(CoreKind kind, CoreSpec spec) throws BtfFormatException, CoreException {
        if (kind == CoreKind.FIELD_EXISTS) {
            return new FieldValue(spec == null ? 0 : 1, 0, 0);
        }
        Btf btf = spec.btf();
        CoreSpec.Accessor last = spec.accessors().getLast();
        if (last.name() == null) {
            long size = btf.sizeOf(last.typeId());
            return switch (kind) {
                case FIELD_BYTE_OFFSET -> new FieldValue(spec.bitOffset() / 8, (int) size, last.typeId());
                case FIELD_BYTE_SIZE -> new FieldValue(size, 0, 0);
                default -> throw new CoreException(kind.shortName() + " relocation cannot apply to an array element ("
                        + spec.format() + ")");
            };
        }
        BtfType.Member m = ((BtfType.Composite) btf.type(last.typeId())).members().get(last.idx());
        int fieldType = btf.skipModifiers(m.type());
        BtfType mt = btf.type(fieldType);
        long bitOff = spec.bitOffset();
        long bitSize = m.bitfieldSize();
        boolean bitfield = bitSize > 0;
        long byteSize;
        long byteOff;
        if (bitfield) {
            byteSize = btf.sizeOf(fieldType);
            if (byteSize == 0) {
                throw new CoreException("bitfield of zero-sized type in " + spec.format());
            }
            byteOff = bitOff / 8 / byteSize * byteSize;
            while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
                if (byteSize >= 8) {
                    throw new CoreException("bitfield " + spec.format() + " cannot be read with one 64-bit load");
                }
                byteSize *= 2;
                byteOff = bitOff / 8 / byteSize * byteSize;
            }
        } else {
            byteSize = btf.sizeOf(fieldType);
            byteOff = bitOff / 8;
            bitSize = byteSize * 8;
        }
        return switch (kind) {
            case FIELD_BYTE_OFFSET -> bitfield ? new FieldValue(byteOff, 0, 0)
                    : new FieldValue(byteOff, (int) byteSize, fieldType);
            case FIELD_BYTE_SIZE -> new FieldValue(byteSize, 0, 0);
            case FIELD_SIGNED -> new FieldValue(
                    mt instanceof BtfType.Enum e && e.signed() || mt instanceof BtfType.Int i && (i.encoding() & 1) != 0
                            ? 1 : 0, 0, 0);
            case FIELD_LSHIFT_U64 -> new FieldValue(64 - (bitOff + bitSize - byteOff * 8), 0, 0);
            case FIELD_RSHIFT_U64 -> new FieldValue(64 - bitSize, 0, 0);
            default -> throw new IllegalStateException(kind.name());
        };
    }

    private long typeValue(CoreKind kind, CoreSpec spec) throws BtfFormatException {
        if (spec == null) {
            return 0;
        }
        return switch (kind) {
            case TYPE_ID_TARGET -> spec.rootTypeId();
            case TYPE_EXISTS, TYPE_MATCHES -> 1;
            case TYPE_SIZE -> spec.btf().sizeOf(spec.rootTypeId());
            default -> throw new IllegalStateException(kind.name());
        };
    }

    private static long enumValue(CoreKind kind, CoreSpec spec) {
        if (kind == CoreKind.ENUMVAL_EXISTS) {
            return spec == null ? 0 : 1;
        }
        CoreSpec.Accessor a = spec.accessors().getFirst();
        BtfType.Enum e = (BtfType.Enum) spec.btf().type(a.typeId());
        long v = e.values().get(a.idx()).value();
        // libbpf reads a 32-bit enumerator as a signed int, whatever the enum's signedness.
        return e.kind() == BtfKind.ENUM ? (int) v : v;
    }
}
