package dev.tcxsim.vm.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Type information from an object's {@code .BTF} section (uapi {@code linux/btf.h}): a header,
 * a type section of {@code struct btf_type} records each followed by kind-specific data, and a
 * string section. Type ids are the records' 1-based positions; id 0 is void.
 *
 * <p>Parsing validates everything the loader later relies on: the bounds of every record and
 * string, and that every referenced type id exists. Nothing is allocated before its size has
 * been checked against the section's length.
 */
public final class Btf {
    public static final int MAGIC = 0xeB9F;
    /** libbpf's limit on chains of modifiers and typedefs. */
    private static final int MAX_RESOLVE_DEPTH = 32;

    private final byte[] raw;
    private final byte[] strings;
    private final List<BtfType> types = new ArrayList<>(List.of(new BtfType.Void()));
    /** Offset of each type's record in the section, for error messages; -1 for void. */
    private final List<Integer> typeOffsets = new ArrayList<>(List.of(-1));

    private Btf(byte[] raw, byte[] strings) {
        this.raw = raw;
        this.strings = strings;
    }

    /** Parses a little-endian {@code .BTF} section. */
    public static Btf parse(byte[] data) throws BtfFormatException {
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 24) {
            throw new BtfFormatException(0, "header truncated: " + data.length + " bytes, need 24");
        }
        int magic = buf.getShort(0) & 0xffff;
        if (magic != MAGIC) {
            throw new BtfFormatException(0, "bad magic 0x" + Integer.toHexString(magic)
                    + (magic == 0x9FeB ? " (big-endian BTF is not supported)" : ""));
        }
        if (data[2] != 1) {
            throw new BtfFormatException(2, "unsupported version " + data[2]);
        }
        long hdrLen = u32(buf, 4);
        long typeOff = u32(buf, 8);
        long typeLen = u32(buf, 12);
        long strOff = u32(buf, 16);
        long strLen = u32(buf, 20);
        if (hdrLen < 24 || hdrLen > data.length) {
            throw new BtfFormatException(4, "header length " + hdrLen + " outside 24.." + data.length);
        }
        checkRange(data.length, hdrLen, typeOff, typeLen, 8, "type section");
        checkRange(data.length, hdrLen, strOff, strLen, 16, "string section");
        if (typeOff % 4 != 0) {
            throw new BtfFormatException(8, "type section offset " + typeOff + " not 4-byte aligned");
        }
        int strStart = (int) (hdrLen + strOff);
        byte[] strings = new byte[(int) strLen];
        System.arraycopy(data, strStart, strings, 0, strings.length);
        if (strLen > 0 && strings[0] != 0) {
            throw new BtfFormatException(strStart, "string section does not start with an empty string");
        }
        Btf btf = new Btf(data.clone(), strings);
        btf.readTypes(buf, (int) (hdrLen + typeOff), (int) (hdrLen + typeOff + typeLen), strStart);
        btf.validateReferences();
        return btf;
    }

    private static void checkRange(int total, long hdrLen, long off, long len, int field, String what)
            throws BtfFormatException {
        if (hdrLen + off + len > total) {
            throw new BtfFormatException(field, what + " [" + (hdrLen + off) + ", +" + len
                    + ") past the end of .BTF (" + total + " bytes)");
        }
    }

    private static long u32(ByteBuffer buf, int at) {
        return buf.getInt(at) & 0xffffffffL;
    }

    private void readTypes(ByteBuffer buf, int pos, int end, int strStart) throws BtfFormatException {
        while (pos < end) {
            int recordStart = pos;
            if (end - pos < 12) {
                throw new BtfFormatException(pos, "type record truncated");
            }
            String name = string(u32(buf, pos), pos, strStart);
            int info = buf.getInt(pos + 4);
            int sizeOrType = buf.getInt(pos + 8);
            pos += 12;
            int vlen = info & 0xffff;
            int kindId = (info >>> 24) & 0x1f;
            boolean kindFlag = info < 0;
            BtfKind kind = BtfKind.ofId(kindId);
            if (kind == null || kind == BtfKind.VOID) {
                throw new BtfFormatException(recordStart, "type id " + types.size() + ": unknown kind " + kindId);
            }
            int extra = switch (kind) {
                case INT, VAR, DECL_TAG -> 4;
                case ARRAY -> 12;
                case STRUCT, UNION, DATASEC, ENUM64 -> 12 * vlen;
                case ENUM, FUNC_PROTO -> 8 * vlen;
                default -> 0;
            };
            if (end - pos < extra) {
                throw new BtfFormatException(recordStart, "type id " + types.size() + " (" + kind + ", vlen "
                        + vlen + ") needs " + extra + " bytes, " + (end - pos) + " left");
            }
            types.add(readType(buf, kind, name, sizeOrType, vlen, kindFlag, pos, strStart));
            typeOffsets.add(recordStart);
            pos += extra;
        }
    }

    private BtfType readType(ByteBuffer buf, BtfKind kind, String name, int sizeOrType, int vlen, boolean kindFlag,
                             int pos, int strStart) throws BtfFormatException {
        return switch (kind) {
            case INT -> {
                int enc = buf.getInt(pos);
                yield new BtfType.Int(name, sizeOrType, (enc >>> 24) & 0xf, (enc >>> 16) & 0xff, enc & 0xff);
            }
            case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG -> new BtfType.Ref(kind, name, sizeOrType);
            case ARRAY -> new BtfType.Array(buf.getInt(pos), buf.getInt(pos + 4), buf.getInt(pos + 8));
            case STRUCT, UNION -> {
                List<BtfType.Member> members = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    int p = pos + 12 * i;
                    int off = buf.getInt(p + 8);
                    members.add(new BtfType.Member(string(u32(buf, p), p, strStart), buf.getInt(p + 4),
                            kindFlag ? off & 0xffffff : off, kindFlag ? off >>> 24 : 0));
                }
                yield new BtfType.Composite(kind, name, sizeOrType, members);
            }
            case ENUM, ENUM64 -> {
                List<BtfType.EnumValue> values = new ArrayList<>(vlen);
                int step = kind == BtfKind.ENUM ? 8 : 12;
                for (int i = 0; i < vlen; i++) {
                    int p = pos + step * i;
                    long v = kind == BtfKind.ENUM
                            ? (kindFlag ? buf.getInt(p + 4) : u32(buf, p + 4))
                            : u32(buf, p + 4) | (long) buf.getInt(p + 8) << 32;
                    values.add(new BtfType.EnumValue(string(u32(buf, p), p, strStart), v));
                }
                yield new BtfType.Enum(kind, name, sizeOrType, kindFlag, values);
            }
            case FWD -> new BtfType.Fwd(name, kindFlag);
            case FUNC -> new BtfType.Func(name, sizeOrType, vlen);
            case FUNC_PROTO -> {
                List<BtfType.Param> params = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    int p = pos + 8 * i;
                    params.add(new BtfType.Param(string(u32(buf, p), p, strStart), buf.getInt(p + 4)));
                }
                yield new BtfType.FuncProto(sizeOrType, params);
            }
            case VAR -> new BtfType.Var(name, sizeOrType, buf.getInt(pos));
            case DATASEC -> {
                List<BtfType.VarSecInfo> vars = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    int p = pos + 12 * i;
                    vars.add(new BtfType.VarSecInfo(buf.getInt(p), buf.getInt(p + 4), buf.getInt(p + 8)));
                }
                yield new BtfType.DataSec(name, sizeOrType, vars);
            }
            case FLOAT -> new BtfType.Float(name, sizeOrType);
            case DECL_TAG -> new BtfType.DeclTag(name, sizeOrType, buf.getInt(pos));
            case VOID -> throw new IllegalStateException("void has no record");
        };
    }

    private String string(long offset, int fieldPos, int strStart) throws BtfFormatException {
        if (offset >= strings.length) {
            if (offset == 0) {
                return "";
            }
            throw new BtfFormatException(fieldPos, "string offset " + offset + " outside the string section ("
                    + strings.length + " bytes)");
        }
        int start = (int) offset;
        int end = start;
        while (end < strings.length && strings[end] != 0) {
            end++;
        }
        if (end == strings.length) {
            throw new BtfFormatException(strStart + start, "string at offset " + offset + " is not NUL-terminated");
        }
        return new String(strings, start, end - start, StandardCharsets.UTF_8);
    }

    private void validateReferences() throws BtfFormatException {
        for (int id = 1; id < types.size(); id++) {
            for (int ref : references(types.get(id))) {
                if (ref < 0 || ref >= types.size()) {
                    throw new BtfFormatException(typeOffsets.get(id), "type id " + id + " refers to type id "
                            + Integer.toUnsignedString(ref) + ", out of range (" + types.size() + " types)");
                }
            }
        }
    }

    private static List<Integer> references(BtfType t) {
        return switch (t) {
            case BtfType.Ref r -> List.of(r.type());
            case BtfType.Array a -> List.of(a.elemType(), a.indexType());
            case BtfType.Composite c -> c.members().stream().map(BtfType.Member::type).toList();
            case BtfType.Func f -> List.of(f.type());
            case BtfType.FuncProto p -> {
                List<Integer> refs = new ArrayList<>(List.of(p.returnType()));
                p.params().forEach(param -> refs.add(param.type()));
                yield refs;
            }
            case BtfType.Var v -> List.of(v.type());
            case BtfType.DataSec d -> d.vars().stream().map(BtfType.VarSecInfo::type).toList();
            case BtfType.DeclTag d -> List.of(d.type());
            default -> List.of();
        };
    }

    /** Number of type ids, void included. */
    public int typeCount() {
        return types.size();
    }

    /** True when {@code id} names a type of this BTF. */
    public boolean hasType(long id) {
        return id >= 0 && id < types.size();
    }

    /** The type with this id; callers check the id with {@link #hasType(long)} first. */
    public BtfType type(int id) {
        return types.get(id);
    }

    /** The string at {@code offset} of the string section, or empty when none starts there. */
    public Optional<String> stringAt(long offset) {
        try {
            return Optional.of(string(offset, -1, -1));
        } catch (BtfFormatException e) {
            return Optional.empty();
        }
    }

    /** The first type of this kind and name. */
    public Optional<Integer> find(BtfKind kind, String name) {
        for (int id = 1; id < types.size(); id++) {
            BtfType t = types.get(id);
            if (t.kind() == kind && t.name().equals(name)) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /** Follows typedefs and const/volatile/restrict/type-tag modifiers to the underlying type's id. */
    public int skipModifiers(int id) throws BtfFormatException {
        int start = id;
        for (int depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
            if (!(types.get(id) instanceof BtfType.Ref r) || r.kind() == BtfKind.PTR) {
                return id;
            }
            id = r.type();
        }
        throw new BtfFormatException(typeOffsets.get(start), "type id " + start + ": chain of typedefs and "
                + "modifiers longer than " + MAX_RESOLVE_DEPTH);
    }

    /** The size in bytes of a type, as sizeof() in C (pointers are 8 bytes). */
    public long sizeOf(int id) throws BtfFormatException {
        return sizeOf(id, 0);
    }

    private long sizeOf(int id, int depth) throws BtfFormatException {
        if (depth > MAX_RESOLVE_DEPTH) {
            throw new BtfFormatException(typeOffsets.get(id), "type id " + id + ": nests deeper than "
                    + MAX_RESOLVE_DEPTH);
        }
        BtfType t = types.get(id);
        return switch (t) {
            case BtfType.Int i -> i.size() & 0xffffffffL;
            case BtfType.Composite c -> c.size() & 0xffffffffL;
            case BtfType.Enum e -> e.size() & 0xffffffffL;
            case BtfType.Float f -> f.size() & 0xffffffffL;
            case BtfType.DataSec d -> d.size() & 0xffffffffL;
            case BtfType.Ref r when r.kind() == BtfKind.PTR -> 8;
            case BtfType.Ref r -> sizeOf(r.type(), depth + 1);
            case BtfType.Var v -> sizeOf(v.type(), depth + 1);
            case BtfType.Array a -> {
                long elem = sizeOf(a.elemType(), depth + 1);
                long n = a.elemCount() & 0xffffffffL;
                if (elem != 0 && n > Long.MAX_VALUE / elem) {
                    throw new BtfFormatException(typeOffsets.get(id), "type id " + id + ": array size overflows");
                }
                yield elem * n;
            }
            default -> throw new BtfFormatException(Math.max(0, typeOffsets.get(id)), "type id " + id + " ("
                    + t.kind() + ") has no size");
        };
    }

    /** Offset of type {@code id}'s record in the section, for error messages; -1 for void. */
    public int offsetOf(int id) {
        return typeOffsets.get(id);
    }

    /** The section's bytes as read. */
    public byte[] raw() {
        return raw.clone();
    }
}
