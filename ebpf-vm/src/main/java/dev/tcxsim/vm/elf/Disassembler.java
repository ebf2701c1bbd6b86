package dev.tcxsim.vm.elf;

/**
 * Prints instructions the way {@code bpftool prog dump xlated} does (the kernel's disasm.c
 * notation): {@code r0 = 0}, {@code w1 += -4}, {@code if r2 > r3 goto pc+5},
 * {@code *(u32 *)(r10 -4) = r1}, {@code lock *(u64 *)(r0 +0) += r1},
 * {@code call bpf_map_lookup_elem#1}, {@code call pc+6}, {@code r1 = map[id:0]},
 * {@code r1 = map[id:2][0]+4}, {@code r2 = subprog[+24]}. In a loaded program the map "id" is
 * whatever the first imm holds: 0 straight from the loader, the map's index or fd once a backend
 * filled it in.
 */
public final class Disassembler {
    private static final int LD = 0, LDX = 1, ST = 2, STX = 3, ALU = 4, JMP = 5, JMP32 = 6, ALU64 = 7;
    private static final String[] ALU_OPS = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=",
            "=", "s>>=", "endian"};
    private static final String[] JMP_OPS = {"goto", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<",
            "<=", "s<", "s<=", "may_goto"};
    private static final String[] SIZES = {"u32", "u16", "u8", "u64"};
    private static final int MODE_IMM = 0x00, MODE_ABS = 0x20, MODE_IND = 0x40, MODE_MEM = 0x60,
            MODE_MEMSX = 0x80, MODE_ATOMIC = 0xc0;
    private static final int ATOMIC_FETCH = 0x01;
    private static final int ATOMIC_XCHG = 0xe0 | ATOMIC_FETCH, ATOMIC_CMPXCHG = 0xf0 | ATOMIC_FETCH;

    private Disassembler() {
    }

    /** The instruction at {@code index} (an LD_IMM64 reads the next slot too), without index or opcode. */
    public static String format(long[] insns, int index) {
        long insn = insns[index];
        int code = Insn.opcode(insn);
        int dst = Insn.dst(insn);
        int src = Insn.src(insn);
        int off = Insn.off(insn);
        int imm = Insn.imm(insn);
        return switch (code & 0x07) {
            case ALU, ALU64 -> alu(code, dst, src, off, imm);
            case LDX -> switch (code & 0xe0) {
                case MODE_MEM -> "r" + dst + " = *(" + size(code) + " *)(r" + src + " " + signed(off) + ")";
                case MODE_MEMSX -> "r" + dst + " = *(s" + bits(code) + " *)(r" + src + " " + signed(off) + ")";
                default -> bug("ldx", code);
            };
            case ST -> (code & 0xe0) == MODE_MEM
                    ? "*(" + size(code) + " *)(r" + dst + " " + signed(off) + ") = " + imm : bug("st", code);
            case STX -> stx(code, dst, src, off, imm);
            case LD -> ld(insns, index, code, dst, src, imm);
            default -> jump(code, dst, src, off, imm);
        };
    }

    /** bpftool's whole listing: "   5: (18) r1 = map[id:0]", the second slot of an LD_IMM64 skipped. */
    public static String listing(long[] insns) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < insns.length; i++) {
            sb.append(String.format("%4d: (%02x) %s%n", i, Insn.opcode(insns[i]), format(insns, i)));
            if (Insn.opcode(insns[i]) == Insn.LD_IMM64) {
                i++;
            }
        }
        return sb.toString();
    }

    private static String alu(int code, int dst, int src, int off, int imm) {
        char r = (code & 0x07) == ALU64 ? 'r' : 'w';
        int op = code >>> 4;
        boolean regSource = (code & 0x08) != 0;
        if (op == 0xd) {
            return (code & 0x07) == ALU64
                    ? "r" + dst + " = bswap" + imm + " r" + dst
                    : "r" + dst + " = " + (regSource ? "be" : "le") + imm + " r" + dst;
        }
        if (op == 0x8) {
            return r + "" + dst + " = -" + r + dst;
        }
        if (op >= ALU_OPS.length) {
            return bug("alu", code);
        }
        String opText = ALU_OPS[op];
        if ((op == 0x3 || op == 0x9) && off == 1) {
            opText = "s" + opText; // sdiv / smod
        }
        if (!regSource) {
            return r + "" + dst + " " + opText + " " + imm;
        }
        String movsx = op == 0xb && off != 0 ? "(s" + off + ")" : "";
        return r + "" + dst + " " + opText + " " + movsx + r + src;
    }

    private static String stx(int code, int dst, int src, int off, int imm) {
        String mem = "(" + size(code) + " *)(r" + dst + " " + signed(off) + ")";
        if ((code & 0xe0) == MODE_MEM) {
            return "*" + mem + " = r" + src;
        }
        if ((code & 0xe0) != MODE_ATOMIC) {
            return bug("stx", code);
        }
        String width = (code & 0x18) == 0x18 ? "64" : "";
        String name = switch (imm & ~ATOMIC_FETCH) {
            case 0x00 -> "add";
            case 0x40 -> "or";
            case 0x50 -> "and";
            case 0xa0 -> "xor";
            default -> null;
        };
        if (imm == ATOMIC_XCHG) {
            return "r" + src + " = atomic" + width + "_xchg(" + mem + ", r" + src + ")";
        }
        if (imm == ATOMIC_CMPXCHG) {
            return "r0 = atomic" + width + "_cmpxchg(" + mem + ", r0, r" + src + ")";
        }
        if (name == null) {
            return bug("stx", code);
        }
        if ((imm & ATOMIC_FETCH) != 0) {
            return "r" + src + " = atomic" + width + "_fetch_" + name + "(" + mem + ", r" + src + ")";
        }
        String sym = switch (name) {
            case "add" -> "+=";
            case "or" -> "|=";
            case "and" -> "&=";
            default -> "^=";
        };
        return "lock *" + mem + " " + sym + " r" + src;
    }

    private static String ld(long[] insns, int index, int code, int dst, int src, int imm) {
        int mode = code & 0xe0;
        if (mode == MODE_ABS) {
            return "r0 = *(" + size(code) + " *)skb[" + imm + "]";
        }
        if (mode == MODE_IND) {
            return "r0 = *(" + size(code) + " *)skb[r" + src + " + " + imm + "]";
        }
        if (code != Insn.LD_IMM64 || mode != MODE_IMM) {
            return bug("ld", code);
        }
        if (index + 1 >= insns.length) {
            return "BUG_ld_imm64_truncated";
        }
        long second = insns[index + 1];
        String value = switch (src) {
            case Insn.PSEUDO_MAP_FD -> "map[id:" + Integer.toUnsignedString(imm) + "]";
            case Insn.PSEUDO_MAP_VALUE -> "map[id:" + Integer.toUnsignedString(imm) + "][0]+"
                    + Integer.toUnsignedString(Insn.imm(second));
            case 5 -> "map[idx:" + Integer.toUnsignedString(imm) + "]";
            case 6 -> "map[idx:" + Integer.toUnsignedString(imm) + "]+" + Integer.toUnsignedString(Insn.imm(second));
            case Insn.PSEUDO_FUNC -> "subprog[" + signed(imm) + "]";
            default -> "0x" + Long.toHexString(Insn.imm64(insns[index], second));
        };
        return "r" + dst + " = " + value;
    }

    private static String jump(int code, int dst, int src, int off, int imm) {
        int op = code >>> 4;
        boolean jmp64 = (code & 0x07) == JMP;
        if (op == 0x8 && jmp64) {
            if (src == Insn.PSEUDO_CALL) {
                return "call pc" + signed(imm);
            }
            if (src == Insn.PSEUDO_KFUNC_CALL) {
                return "call kernel-function";
            }
            String name = dev.tcxsim.vm.helpers.HelperNames.name(imm);
            return "call " + (name == null ? "unknown" : "bpf_" + name) + "#" + imm;
        }
        if (op == 0x9 && jmp64) {
            return "exit";
        }
        if (op == 0x0) {
            return jmp64 ? "goto pc" + signed(off) : "gotol pc" + signed(imm);
        }
        if (op >= JMP_OPS.length || op == 0x8 || op == 0x9 || op == 0xe) {
            return bug("jmp", code);
        }
        char r = jmp64 ? 'r' : 'w';
        String right = (code & 0x08) != 0 ? r + "" + src : "0x" + Integer.toHexString(imm);
        return "if " + r + dst + " " + JMP_OPS[op] + " " + right + " goto pc" + signed(off);
    }

    private static String size(int code) {
        return SIZES[(code >>> 3) & 0x3];
    }

    private static int bits(int code) {
        return switch ((code >>> 3) & 0x3) {
            case 0 -> 32;
            case 1 -> 16;
            case 2 -> 8;
            default -> 64;
        };
    }

    private static String signed(int v) {
        return (v >= 0 ? "+" : "") + v;
    }

    private static String bug(String cls, int code) {
        return "BUG_" + cls + "_" + String.format("%02x", code);
    }
}
