package dev.tcxsim.vm.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes types as a little-endian {@code .BTF} blob (uapi linux/btf.h): the inverse of
 * {@link Btf#parse(byte[])}. Types get ids 1, 2, ... in list order; every type id a type refers
 * to must already be an id of the list (the caller remaps them). Strings are deduplicated.
 */
final class BtfWriter {
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();
    private final ByteBuffer types;

    private BtfWriter(int capacity) {
        types = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
        string("");
    }

    static byte[] write(List<BtfType> list) {
        int capacity = 0;
        for (BtfType t : list) {
            capacity += 12 + 16 * Math.max(1, vlen(t));
        }
        BtfWriter w = new BtfWriter(capacity);
        for (BtfType t : list) {
            w.type(t);
        }
        byte[] str = w.strings.toByteArray();
        int typeLen = w.types.position();
        ByteBuffer out = ByteBuffer.allocate(24 + typeLen + str.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) Btf.MAGIC).put((byte) 1).put((byte) 0).putInt(24);
        out.putInt(0).putInt(typeLen).putInt(typeLen).putInt(str.length);
        out.put(w.types.array(), 0, typeLen).put(str);
        return out.array();
    }

    private static int vlen(BtfType t) {
        return switch (t) {
            case BtfType.Composite c -> c.members().size();
            case BtfType.Enum e -> e.values().size();
            case BtfType.FuncProto p -> p.params().size();
            case BtfType.DataSec d -> d.vars().size();
            default -> 0;
        };
    }

    private int string(String s) {
        Integer off = stringOffsets.get(s);
        if (off == null) {
            off = strings.size();
            strings.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            stringOffsets.put(s, off);
        }
        return off;
    }

    private void header(String name, BtfKind kind, int vlen, boolean kindFlag, int sizeOrType) {
        types.putInt(string(name)).putInt((kindFlag ? 1 << 31 : 0) | kind.id() << 24 | vlen).putInt(sizeOrType);
    }

    private void type(BtfType t) {
        switch (t) {
            case BtfType.Void v -> throw new IllegalArgumentException("void has no record");
            case BtfType.Int i -> {
                header(i.name(), BtfKind.INT, 0, false, i.size());
                types.putInt(i.encoding() << 24 | i.bitOffset() << 16 | i.bits());
            }
            case BtfType.Ref r -> header(r.name(), r.kind(), 0, false, r.type());
            case BtfType.Array a -> {
                header("", BtfKind.ARRAY, 0, false, 0);
                types.putInt(a.elemType()).putInt(a.indexType()).putInt(a.elemCount());
            }
            case BtfType.Composite c -> {
                boolean bitfields = c.members().stream().anyMatch(m -> m.bitfieldSize() != 0);
                header(c.name(), c.kind(), c.members().size(), bitfields, c.size());
                for (BtfType.Member m : c.members()) {
                    types.putInt(string(m.name())).putInt(m.type())
                            .putInt(bitfields ? m.bitfieldSize() << 24 | m.bitOffset() : m.bitOffset());
                }
            }
            case BtfType.Enum e -> {
                header(e.name(), e.kind(), e.values().size(), e.signed(), e.size());
                for (BtfType.EnumValue v : e.values()) {
                    types.putInt(string(v.name())).putInt((int) v.value());
                    if (e.kind() == BtfKind.ENUM64) {
                        types.putInt((int) (v.value() >>> 32));
                    }
                }
            }
            case BtfType.Fwd f -> header(f.name(), BtfKind.FWD, 0, f.union(), 0);
            case BtfType.Func f -> header(f.name(), BtfKind.FUNC, f.linkage(), false, f.type());
            case BtfType.FuncProto p -> {
                header("", BtfKind.FUNC_PROTO, p.params().size(), false, p.returnType());
                for (BtfType.Param q : p.params()) {
                    types.putInt(string(q.name())).putInt(q.type());
                }
            }
            case BtfType.Var v -> {
                header(v.name(), BtfKind.VAR, 0, false, v.type());
                types.putInt(v.linkage());
            }
            case BtfType.DataSec d -> {
                header(d.name(), BtfKind.DATASEC, d.vars().size(), false, d.size());
                for (BtfType.VarSecInfo v : d.vars()) {
                    types.putInt(v.type()).putInt(v.offset()).putInt(v.size());
                }
            }
            case BtfType.Float f -> header(f.name(), BtfKind.FLOAT, 0, false, f.size());
            case BtfType.DeclTag d -> {
                header(d.name(), BtfKind.DECL_TAG, 0, false, d.type());
                types.putInt(d.componentIdx());
            }
        }
    }
}
