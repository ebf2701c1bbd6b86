package dev.tcxsim.vm.elf;

import java.util.List;

/**
 * One program (entry point), linked like libbpf links: sub-programs appended after the main
 * body, every BPF-to-BPF call's imm fixed to the relative offset in the flat array.
 *
 * <p>{@code insns}: each element is one 8-byte instruction read as a little-endian long: bits
 * 0-7 opcode, 8-11 dst_reg, 12-15 src_reg, 16-31 off (signed), 32-63 imm (signed). LD_IMM64
 * takes two elements; the second carries the high 32 bits in its imm.
 *
 * <p>{@code poisoned}: instructions whose CO-RE relocation failed or that call a weak kfunc the
 * target lacks (see {@link PoisonedInsn}), in instruction order. {@code kfuncCalls}: every kfunc
 * call (see {@link KfuncCall}), in instruction order. Both are empty for most programs.
 */
public record ProgramSpec(String name, String section, int progType, int expectedAttachType, long[] insns,
                          List<Relocation> relocations, List<FuncInfo> funcInfo, List<LineInfo> lineInfo,
                          List<PoisonedInsn> poisoned, List<KfuncCall> kfuncCalls) {
    public ProgramSpec {
        poisoned = List.copyOf(poisoned);
        kfuncCalls = List.copyOf(kfuncCalls);
    }

    /** A program without poisoned instructions or kfunc calls. */
    public ProgramSpec(String name, String section, int progType, int expectedAttachType, long[] insns,
                       List<Relocation> relocations, List<FuncInfo> funcInfo, List<LineInfo> lineInfo) {
        this(name, section, progType, expectedAttachType, insns, relocations, funcInfo, lineInfo, List.of(), List.of());
    }

    /** A program built from raw instructions (no object, no maps). */
    public static ProgramSpec raw(String name, int progType, long... insns) {
        return new ProgramSpec(name, "raw", progType, 0, insns.clone(), List.of(), List.of(), List.of());
    }

    /** The failed CO-RE relocation behind a poisoned instruction slot {@code insnIndex}, or null. */
    public PoisonedInsn poisonedAt(int insnIndex) {
        for (PoisonedInsn p : poisoned) {
            if (insnIndex >= p.insnIndex() && insnIndex < p.insnIndex() + p.slots()) {
                return p;
            }
        }
        return null;
    }
}
