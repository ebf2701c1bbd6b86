package dev.tcxsim.vm.isa;

/**
 * The arithmetic and comparison semantics of the kernel's interpreter (kernel/bpf/core.c) after the
 * verifier's fix-ups: division by zero gives 0, modulo by zero leaves dst unchanged, signed
 * division of the minimum value by -1 gives the minimum value (the verifier turns it into a
 * negation) and the signed remainder 0. 32-bit operations zero-extend their result.
 *
 * <p>Both interpreters call these methods with a constant {@code op}; in the Truffle interpreter
 * partial evaluation folds the switch away, so each instruction compiles to its one operation.
 */
public final class Alu {
    private Alu() {
    }

    /** A 64-bit ALU operation ({@code op} = opcode & 0xf0); {@code off} selects sdiv/smod (1) and movsx (8/16/32). */
    public static long alu64(int op, long dst, long src, int off) {
        return switch (op) {
            case Op.ADD -> dst + src;
            case Op.SUB -> dst - src;
            case Op.MUL -> dst * src;
            case Op.DIV -> src == 0 ? 0 : off == 1 ? (src == -1 ? -dst : dst / src) : Long.divideUnsigned(dst, src);
            case Op.OR -> dst | src;
            case Op.AND -> dst & src;
            case Op.LSH -> dst << (src & 63);
            case Op.RSH -> dst >>> (src & 63);
            case Op.NEG -> -dst;
            case Op.MOD -> src == 0 ? dst : off == 1 ? (src == -1 ? 0 : dst % src) : Long.remainderUnsigned(dst, src);
            case Op.XOR -> dst ^ src;
            case Op.MOV -> switch (off) {
                case 8 -> (byte) src;
                case 16 -> (short) src;
                case 32 -> (int) src;
                default -> src;
            };
            case Op.ARSH -> dst >> (src & 63);
            default -> throw new IllegalStateException("not an ALU64 operation: 0x" + Integer.toHexString(op));
        };
    }

    /** A 32-bit ALU operation on the low halves; the result is zero-extended. */
    public static long alu32(int op, long dst64, long src64, int off) {
        int dst = (int) dst64;
        int src = (int) src64;
        int r = switch (op) {
            case Op.ADD -> dst + src;
            case Op.SUB -> dst - src;
            case Op.MUL -> dst * src;
            case Op.DIV -> src == 0 ? 0 : off == 1 ? (src == -1 ? -dst : dst / src) : Integer.divideUnsigned(dst, src);
            case Op.OR -> dst | src;
            case Op.AND -> dst & src;
            case Op.LSH -> dst << (src & 31);
            case Op.RSH -> dst >>> (src & 31);
            case Op.NEG -> -dst;
            case Op.MOD -> src == 0 ? dst : off == 1 ? (src == -1 ? 0 : dst % src) : Integer.remainderUnsigned(dst, src);
            case Op.XOR -> dst ^ src;
            case Op.MOV -> switch (off) {
                case 8 -> (byte) src;
                case 16 -> (short) src;
                default -> src;
            };
            case Op.ARSH -> dst >> (src & 31);
            default -> throw new IllegalStateException("not an ALU operation: 0x" + Integer.toHexString(op));
        };
        return r & 0xffffffffL;
    }

    /**
     * BPF_END: {@code opcode} 0xd4 (to little endian: truncation on this little-endian machine),
     * 0xdc (to big endian: swap and truncate) or 0xd7 (ALU64 bswap: swap and truncate).
     */
    public static long end(int opcode, int bits, long dst) {
        boolean swap = opcode != (Op.ALU | Op.END | Op.TO_LE);
        return switch (bits) {
            case 16 -> (swap ? Short.reverseBytes((short) dst) : dst) & 0xffffL;
            case 32 -> (swap ? Integer.reverseBytes((int) dst) : dst) & 0xffffffffL;
            default -> swap ? Long.reverseBytes(dst) : dst;
        };
    }

    /** A conditional jump's condition on 64-bit values ({@code op} = opcode & 0xf0). */
    public static boolean cond64(int op, long a, long b) {
        return switch (op) {
            case Op.JEQ -> a == b;
            case Op.JGT -> Long.compareUnsigned(a, b) > 0;
            case Op.JGE -> Long.compareUnsigned(a, b) >= 0;
            case Op.JSET -> (a & b) != 0;
            case Op.JNE -> a != b;
            case Op.JSGT -> a > b;
            case Op.JSGE -> a >= b;
            case Op.JLT -> Long.compareUnsigned(a, b) < 0;
            case Op.JLE -> Long.compareUnsigned(a, b) <= 0;
            case Op.JSLT -> a < b;
            case Op.JSLE -> a <= b;
            default -> throw new IllegalStateException("not a conditional jump: 0x" + Integer.toHexString(op));
        };
    }

    /** A JMP32 condition on the low 32 bits. */
    public static boolean cond32(int op, long a64, long b64) {
        int a = (int) a64;
        int b = (int) b64;
        return switch (op) {
            case Op.JEQ -> a == b;
            case Op.JGT -> Integer.compareUnsigned(a, b) > 0;
            case Op.JGE -> Integer.compareUnsigned(a, b) >= 0;
            case Op.JSET -> (a & b) != 0;
            case Op.JNE -> a != b;
            case Op.JSGT -> a > b;
            case Op.JSGE -> a >= b;
            case Op.JLT -> Integer.compareUnsigned(a, b) < 0;
            case Op.JLE -> Integer.compareUnsigned(a, b) <= 0;
            case Op.JSLT -> a < b;
            case Op.JSLE -> a <= b;
            default -> throw new IllegalStateException("not a conditional jump: 0x" + Integer.toHexString(op));
        };
    }
}
