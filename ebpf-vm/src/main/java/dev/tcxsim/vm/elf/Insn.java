package dev.tcxsim.vm.elf;

/**
 * One eBPF instruction slot packed in a {@code long}, exactly as its 8 bytes read little-endian
 * from the object file: bits 0-7 opcode, 8-11 dst_reg, 12-15 src_reg, 16-31 off (signed),
 * 32-63 imm (signed). An LD_IMM64 ({@link #LD_IMM64} opcode) takes two slots; the second holds
 * only the upper 32 bits of the constant in its imm.
 */
public final class Insn {
    /** BPF_LD | BPF_IMM | BPF_DW: the first slot of a 64-bit immediate load. */
    public static final int LD_IMM64 = 0x18;
    /** BPF_JMP | BPF_CALL. */
    public static final int CALL = 0x85;
    /** BPF_JMP | BPF_EXIT. */
    public static final int EXIT = 0x95;

    /** src_reg of CALL: imm is a helper id. */
    public static final int PSEUDO_HELPER = 0;
    /** src_reg of CALL: imm is the pc-relative offset of a bpf-to-bpf callee (target = pc + 1 + imm). */
    public static final int PSEUDO_CALL = 1;
    /** src_reg of CALL: imm is a kfunc BTF id (not supported by the loader). */
    public static final int PSEUDO_KFUNC_CALL = 2;
    /** src_reg of LD_IMM64: the constant is a map (imm = map fd in the kernel, map index here). */
    public static final int PSEUDO_MAP_FD = 1;
    /** src_reg of LD_IMM64: the constant is a pointer into a map's value (first imm = map, second imm = offset). */
    public static final int PSEUDO_MAP_VALUE = 2;
    /** src_reg of LD_IMM64: the constant is a function's address (imm = pc-relative offset, like a call). */
    public static final int PSEUDO_FUNC = 4;

    private Insn() {
    }

    public static int opcode(long insn) {
        return (int) (insn & 0xff);
    }

    public static int dst(long insn) {
        return (int) ((insn >>> 8) & 0xf);
    }

    public static int src(long insn) {
        return (int) ((insn >>> 12) & 0xf);
    }

    public static short off(long insn) {
        return (short) (insn >>> 16);
    }

    public static int imm(long insn) {
        return (int) (insn >>> 32);
    }

    public static long make(int opcode, int dst, int src, int off, int imm) {
        return (opcode & 0xffL) | (dst & 0xfL) << 8 | (src & 0xfL) << 12 | (off & 0xffffL) << 16
                | (imm & 0xffffffffL) << 32;
    }

    public static long withImm(long insn, int imm) {
        return (insn & 0xffffffffL) | (imm & 0xffffffffL) << 32;
    }

    public static long withSrc(long insn, int src) {
        return (insn & ~0xf000L) | (src & 0xfL) << 12;
    }

    /** The 64-bit constant of the LD_IMM64 whose two slots are {@code first} and {@code second}. */
    public static long imm64(long first, long second) {
        return (imm(first) & 0xffffffffL) | (long) imm(second) << 32;
    }
}
