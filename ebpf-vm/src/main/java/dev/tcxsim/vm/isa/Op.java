package dev.tcxsim.vm.isa;

/**
 * eBPF instruction encoding (RFC 9669, include/uapi/linux/bpf.h). An instruction is one
 * little-endian long: bits 0-7 opcode, 8-11 dst_reg, 12-15 src_reg, 16-31 off (signed), 32-63 imm
 * (signed). The opcode is class (bits 0-2) plus, for ALU/JMP, source (bit 3) and operation
 * (bits 4-7), or, for loads and stores, size (bits 3-4) and mode (bits 5-7).
 */
public final class Op {
    private Op() {
    }

    // classes
    public static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;
    // sizes
    public static final int W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
    // modes
    public static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, MEMSX = 0x80, ATOMIC = 0xc0;
    // sources
    public static final int K = 0x00, X = 0x08;
    // ALU operations
    public static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60,
            RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0;
    // JMP operations
    public static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60,
            JSGE = 0x70, CALL = 0x80, EXIT = 0x90, JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0;
    // byte order of END (in the source bit)
    public static final int TO_LE = 0x00, TO_BE = 0x08;
    // atomic operations (in imm)
    public static final int FETCH = 0x01, XCHG = 0xe0 | FETCH, CMPXCHG = 0xf0 | FETCH,
            LOAD_ACQ = 0x100, STORE_REL = 0x110;

    public static final int LD_IMM64 = LD | IMM | DW;

    // src_reg of CALL
    public static final int PSEUDO_CALL = 1, PSEUDO_KFUNC_CALL = 2;
    // src_reg of LD_IMM64
    public static final int PSEUDO_MAP_FD = 1, PSEUDO_MAP_VALUE = 2, PSEUDO_BTF_ID = 3, PSEUDO_FUNC = 4,
            PSEUDO_MAP_IDX = 5, PSEUDO_MAP_IDX_VALUE = 6;

    public static int opcode(long insn) {
        return (int) (insn & 0xff);
    }

    public static int cls(long insn) {
        return (int) (insn & 0x07);
    }

    public static int dst(long insn) {
        return (int) ((insn >>> 8) & 0xf);
    }

    public static int src(long insn) {
        return (int) ((insn >>> 12) & 0xf);
    }

    public static int off(long insn) {
        return (short) (insn >>> 16);
    }

    public static int imm(long insn) {
        return (int) (insn >>> 32);
    }

    /** Bytes moved by a load or store of this opcode's size field. */
    public static int sizeBytes(int opcode) {
        return switch (opcode & 0x18) {
            case W -> 4;
            case H -> 2;
            case B -> 1;
            default -> 8;
        };
    }

    public static long make(int opcode, int dst, int src, int off, int imm) {
        return (opcode & 0xffL) | (dst & 0xfL) << 8 | (src & 0xfL) << 12 | (off & 0xffffL) << 16
                | (imm & 0xffffffffL) << 32;
    }

    public static long withImm(long insn, int imm) {
        return (insn & 0xffffffffL) | (imm & 0xffffffffL) << 32;
    }
}
