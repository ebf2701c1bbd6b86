package dev.tcxsim.vm.support;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An object's raw {@code .BTF} made acceptable to BPF_BTF_LOAD, as libbpf does before loading:
 * clang leaves every DATASEC with size 0 and extern variables and functions with extern linkage,
 * which the kernel refuses. The tests need the BTF for func_info (callbacks), map key/value types
 * (bpf_spin_lock, bpf_timer) and kfunc prototypes, none of which involve the data sections, so
 * each DATASEC becomes an empty anonymous STRUCT (type ids do not move) and extern linkage
 * becomes global; an extern function's unnamed parameters get its name, as the kernel wants every
 * parameter of a global function named (libbpf uses a dummy name the same way).
 */
public final class KernelBtf {
    private static final int KIND_INT = 1, KIND_ARRAY = 3, KIND_STRUCT = 4, KIND_UNION = 5, KIND_ENUM = 6,
            KIND_FUNC = 12, KIND_FUNC_PROTO = 13, KIND_VAR = 14, KIND_DATASEC = 15, KIND_DECL_TAG = 17,
            KIND_ENUM64 = 19;

    private KernelBtf() {
    }

    /** The rewritten BTF; IllegalArgumentException when {@code raw} is not little-endian BTF. */
    public static byte[] forKernel(byte[] raw) {
        ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        if (raw.length < 24 || (in.getShort(0) & 0xffff) != 0xeB9F) {
            throw new IllegalArgumentException("not BTF: no 0xeB9F magic");
        }
        int hdrLen = in.getInt(4);
        int typeStart = hdrLen + in.getInt(8);
        int typeLen = in.getInt(12);
        int strStart = hdrLen + in.getInt(16);
        int strLen = in.getInt(20);
        ByteBuffer types = ByteBuffer.allocate(typeLen).order(ByteOrder.LITTLE_ENDIAN);
        java.util.List<Integer> recordAt = new java.util.ArrayList<>(java.util.List.of(-1));
        java.util.List<int[]> externFuncs = new java.util.ArrayList<>(); // {proto id, name_off}
        for (int p = typeStart; p < typeStart + typeLen; ) {
            recordAt.add(types.position());
            int info = in.getInt(p + 4);
            int kind = (info >>> 24) & 0x1f;
            int extra = extraBytes(kind, info & 0xffff);
            if (kind == KIND_DATASEC) {
                types.putInt(0).putInt(KIND_STRUCT << 24).putInt(0);
            } else {
                int at = types.position();
                types.put(raw, p, 12 + extra);
                if (kind == KIND_FUNC && (info & 0xffff) == 2) {
                    types.putInt(at + 4, (info & ~0xffff) | 1);
                    externFuncs.add(new int[] {in.getInt(p + 8), in.getInt(p)});
                } else if (kind == KIND_VAR && types.getInt(at + 12) == 2) {
                    types.putInt(at + 12, 1);
                }
            }
            p += 12 + extra;
        }
        for (int[] f : externFuncs) {
            int proto = recordAt.get(f[0]);
            int params = types.getInt(proto + 4) & 0xffff;
            for (int i = 0; i < params; i++) {
                int at = proto + 12 + 8 * i;
                if (types.getInt(at) == 0 && types.getInt(at + 4) != 0) {
                    types.putInt(at, f[1]);
                }
            }
        }
        int newTypeLen = types.position();
        ByteBuffer out = ByteBuffer.allocate(24 + newTypeLen + strLen).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(newTypeLen)
                .putInt(newTypeLen).putInt(strLen);
        out.put(types.array(), 0, newTypeLen).put(raw, strStart, strLen);
        return out.array();
    }

    private static int extraBytes(int kind, int vlen) {
        return switch (kind) {
            case KIND_INT, KIND_VAR, KIND_DECL_TAG -> 4;
            case KIND_ARRAY -> 12;
            case KIND_STRUCT, KIND_UNION, KIND_DATASEC, KIND_ENUM64 -> 12 * vlen;
            case KIND_ENUM, KIND_FUNC_PROTO -> 8 * vlen;
            default -> 0;
        };
    }
}
