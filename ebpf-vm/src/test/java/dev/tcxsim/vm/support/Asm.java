package dev.tcxsim.vm.support;

import dev.tcxsim.vm.isa.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny assembler for hand-written test programs. Jumps and calls name labels; {@link #build()}
 * resolves them to offsets.
 */
public final class Asm {
    public static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;

    private final List<long[]> slots = new ArrayList<>(); // {insn, fixupKind}; fixupKind 0 none, 1 off, 2 imm
    private final List<String> fixupLabels = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    public Asm raw(long insn) {
        slots.add(new long[] {insn, 0});
        fixupLabels.add(null);
        return this;
    }

    private Asm ref(long insn, int kind, String label) {
        slots.add(new long[] {insn, kind});
        fixupLabels.add(label);
        return this;
    }

    public Asm label(String name) {
        if (labels.put(name, slots.size()) != null) {
            throw new IllegalArgumentException("label " + name + " defined twice");
        }
        return this;
    }

    public int pc() {
        return slots.size();
    }

    // ALU
    public Asm alu64(int op, int dst, int imm) { return raw(Op.make(Op.ALU64 | op | Op.K, dst, 0, 0, imm)); }
    public Asm alu64r(int op, int dst, int src) { return raw(Op.make(Op.ALU64 | op | Op.X, dst, src, 0, 0)); }
    public Asm alu32(int op, int dst, int imm) { return raw(Op.make(Op.ALU | op | Op.K, dst, 0, 0, imm)); }
    public Asm alu32r(int op, int dst, int src) { return raw(Op.make(Op.ALU | op | Op.X, dst, src, 0, 0)); }
    public Asm mov64(int dst, int imm) { return alu64(Op.MOV, dst, imm); }
    public Asm mov64r(int dst, int src) { return alu64r(Op.MOV, dst, src); }
    public Asm mov32(int dst, int imm) { return alu32(Op.MOV, dst, imm); }
    /** sdiv/smod and movsx: an ALU instruction with off. */
    public Asm aluOff(int cls, int op, boolean x, int dst, int src, int off, int imm) {
        return raw(Op.make(cls | op | (x ? Op.X : Op.K), dst, src, off, imm));
    }
    public Asm neg64(int dst) { return raw(Op.make(Op.ALU64 | Op.NEG, dst, 0, 0, 0)); }
    public Asm neg32(int dst) { return raw(Op.make(Op.ALU | Op.NEG, dst, 0, 0, 0)); }
    public Asm le(int dst, int bits) { return raw(Op.make(Op.ALU | Op.END | Op.TO_LE, dst, 0, 0, bits)); }
    public Asm be(int dst, int bits) { return raw(Op.make(Op.ALU | Op.END | Op.TO_BE, dst, 0, 0, bits)); }
    public Asm bswap(int dst, int bits) { return raw(Op.make(Op.ALU64 | Op.END, dst, 0, 0, bits)); }

    public Asm ldImm64(int dst, long value) {
        raw(Op.make(Op.LD_IMM64, dst, 0, 0, (int) value));
        return raw(Op.make(0, 0, 0, 0, (int) (value >>> 32)));
    }

    /** LD_IMM64 with BPF_PSEUDO_MAP_FD: the map at index {@code mapIndex} of the list given to the VM. */
    public Asm ldMap(int dst, int mapIndex) {
        raw(Op.make(Op.LD_IMM64, dst, Op.PSEUDO_MAP_FD, 0, mapIndex));
        return raw(0);
    }

    /** LD_IMM64 with BPF_PSEUDO_MAP_VALUE: a pointer {@code offset} bytes into value 0 of map {@code mapIndex}. */
    public Asm ldMapValue(int dst, int mapIndex, int offset) {
        raw(Op.make(Op.LD_IMM64, dst, Op.PSEUDO_MAP_VALUE, 0, mapIndex));
        return raw(Op.make(0, 0, 0, 0, offset));
    }

    // memory
    public Asm ldx(int size, int dst, int src, int off) { return raw(Op.make(Op.LDX | Op.MEM | size, dst, src, off, 0)); }
    public Asm ldxsx(int size, int dst, int src, int off) { return raw(Op.make(Op.LDX | Op.MEMSX | size, dst, src, off, 0)); }
    public Asm stx(int size, int dst, int src, int off) { return raw(Op.make(Op.STX | Op.MEM | size, dst, src, off, 0)); }
    public Asm st(int size, int dst, int off, int imm) { return raw(Op.make(Op.ST | Op.MEM | size, dst, 0, off, imm)); }
    public Asm atomic(int size, int dst, int src, int off, int op) { return raw(Op.make(Op.STX | Op.ATOMIC | size, dst, src, off, op)); }
    public Asm ldAbs(int size, int imm) { return raw(Op.make(Op.LD | Op.ABS | size, 0, 0, 0, imm)); }
    public Asm ldInd(int size, int src, int imm) { return raw(Op.make(Op.LD | Op.IND | size, 0, src, 0, imm)); }

    // jumps
    public Asm ja(String label) { return ref(Op.make(Op.JMP | Op.JA, 0, 0, 0, 0), 1, label); }
    public Asm gotol(String label) { return ref(Op.make(Op.JMP32 | Op.JA, 0, 0, 0, 0), 2, label); }
    public Asm jmp(int op, int dst, int imm, String label) { return ref(Op.make(Op.JMP | op | Op.K, dst, 0, 0, imm), 1, label); }
    public Asm jmpr(int op, int dst, int src, String label) { return ref(Op.make(Op.JMP | op | Op.X, dst, src, 0, 0), 1, label); }
    public Asm jmp32(int op, int dst, int imm, String label) { return ref(Op.make(Op.JMP32 | op | Op.K, dst, 0, 0, imm), 1, label); }
    public Asm jmp32r(int op, int dst, int src, String label) { return ref(Op.make(Op.JMP32 | op | Op.X, dst, src, 0, 0), 1, label); }
    public Asm call(int helper) { return raw(Op.make(Op.JMP | Op.CALL, 0, 0, 0, helper)); }
    public Asm callLocal(String label) { return ref(Op.make(Op.JMP | Op.CALL, 0, Op.PSEUDO_CALL, 0, 0), 2, label); }
    public Asm exit() { return raw(Op.make(Op.JMP | Op.EXIT, 0, 0, 0, 0)); }

    /** r0 = value; exit. */
    public Asm ret(int value) {
        return mov64(R0, value).exit();
    }

    /** Lets a helper method append instructions in the middle of a chain. */
    public Asm apply(java.util.function.UnaryOperator<Asm> f) {
        return f.apply(this);
    }

    /** A no-op marker for programs whose r1 must still hold the context at the first helper call (it does at entry). */
    public Asm prefixCtx() {
        return this;
    }

    public long[] build() {
        long[] out = new long[slots.size()];
        for (int pc = 0; pc < out.length; pc++) {
            long insn = slots.get(pc)[0];
            String l = fixupLabels.get(pc);
            if (l != null) {
                Integer target = labels.get(l);
                if (target == null) {
                    throw new IllegalArgumentException("undefined label " + l);
                }
                int rel = target - pc - 1;
                insn = slots.get(pc)[1] == 1 ? (insn & ~0xffff0000L) | ((rel & 0xffffL) << 16) : Op.withImm(insn, rel);
            }
            out[pc] = insn;
        }
        return out;
    }
}
