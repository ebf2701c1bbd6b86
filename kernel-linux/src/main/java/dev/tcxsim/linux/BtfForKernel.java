package dev.tcxsim.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Makes an object's raw {@code .BTF} loadable with BPF_BTF_LOAD, for the one thing tcxsim needs it
 * for: func_info of programs with sub-programs the verifier must know as functions (bpf_loop
 * callbacks; "missing btf func_info" otherwise).
 *
 * <p>clang leaves every DATASEC with size 0 (libbpf fills in section sizes and variable offsets
 * from the ELF file before loading), which the kernel rejects. Func info does not need the data
 * sections, so each DATASEC becomes an anonymous empty STRUCT: type ids stay the same, the record
 * only loses its variable list. Everything else is passed through unchanged.
 */
final class BtfForKernel {
    private static final int MAGIC = 0xeB9F;
    private static final int HEADER_MIN = 24;
    private static final int KIND_INT = 1;
    private static final int KIND_ARRAY = 3;
    private static final int KIND_STRUCT = 4;
    private static final int KIND_UNION = 5;
    private static final int KIND_ENUM = 6;
    private static final int KIND_FUNC = 12;
    private static final int KIND_FUNC_PROTO = 13;
    private static final int KIND_VAR = 14;
    private static final int KIND_DATASEC = 15;
    private static final int KIND_DECL_TAG = 17;
    private static final int KIND_ENUM64 = 19;

    /** The rewritten BTF and the type id of every FUNC by name. */
    record Result(byte[] btf, Map<String, Integer> funcIds) {
    }

    private BtfForKernel() {
    }

    /** Rewrites {@code raw}; IllegalArgumentException naming the byte offset when it is not BTF as described. */
    static Result rewrite(byte[] raw) {
        ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        if (raw.length < HEADER_MIN || Short.toUnsignedInt(in.getShort(0)) != MAGIC) {
            throw new IllegalArgumentException("not BTF: no 0xeB9F magic at offset 0");
        }
        int hdrLen = in.getInt(4);
        int typeOff = in.getInt(8);
        int typeLen = in.getInt(12);
        int strOff = in.getInt(16);
        int strLen = in.getInt(20);
        int types = hdrLen + typeOff;
        int strings = hdrLen + strOff;
        if (hdrLen < HEADER_MIN || types + (long) typeLen > raw.length || strings + (long) strLen > raw.length) {
            throw new IllegalArgumentException("BTF header points outside its " + raw.length + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate(typeLen).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Integer> funcs = new HashMap<>();
        int p = types;
        int id = 1;
        while (p < types + typeLen) {
            if (p + 12 > types + typeLen) {
                throw new IllegalArgumentException("BTF type " + id + " at offset " + p + " is cut off");
            }
            int nameOff = in.getInt(p);
            int info = in.getInt(p + 4);
            int kind = (info >>> 24) & 0x1f;
            int vlen = info & 0xffff;
            int extra = extraBytes(kind, vlen, id, p);
            if (kind == KIND_DATASEC) {
                out.putInt(0).putInt(KIND_STRUCT << 24).putInt(0);
            } else {
                out.put(raw, p, 12 + extra);
                if (kind == KIND_FUNC) {
                    funcs.put(string(raw, strings, strLen, nameOff), id);
                }
            }
            p += 12 + extra;
            id++;
        }
        int newTypeLen = out.position();
        ByteBuffer btf = ByteBuffer.allocate(HEADER_MIN + newTypeLen + strLen).order(ByteOrder.LITTLE_ENDIAN);
        btf.putShort((short) MAGIC).put(raw[2]).put(raw[3]).putInt(HEADER_MIN)
                .putInt(0).putInt(newTypeLen).putInt(newTypeLen).putInt(strLen);
        btf.put(out.array(), 0, newTypeLen).put(raw, strings, strLen);
        return new Result(btf.array(), Map.copyOf(funcs));
    }

    /** Bytes that follow the 12-byte common record, per kind (linux/btf.h). */
    private static int extraBytes(int kind, int vlen, int id, int at) {
        return switch (kind) {
            case KIND_INT, KIND_VAR, KIND_DECL_TAG -> 4;
            case KIND_ARRAY -> 12;
            case KIND_STRUCT, KIND_UNION, KIND_DATASEC, KIND_ENUM64 -> 12 * vlen;
            case KIND_ENUM, KIND_FUNC_PROTO -> 8 * vlen;
            case 2, 7, 8, 9, 10, 11, KIND_FUNC, 16, 18 -> 0; // PTR FWD TYPEDEF VOLATILE CONST RESTRICT FUNC FLOAT TYPE_TAG
            default -> throw new IllegalArgumentException("BTF type " + id + " at offset " + at + " has unknown kind " + kind);
        };
    }

    private static String string(byte[] raw, int strings, int strLen, int off) {
        if (off < 0 || off >= strLen) {
            throw new IllegalArgumentException("BTF name offset " + off + " is outside the " + strLen + "-byte string table");
        }
        int start = strings + off;
        int end = start;
        while (end < strings + strLen && raw[end] != 0) {
            end++;
        }
        return new String(raw, start, end - start, StandardCharsets.UTF_8);
    }
}
