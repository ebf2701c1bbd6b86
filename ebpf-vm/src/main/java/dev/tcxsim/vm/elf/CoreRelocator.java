package dev.tcxsim.vm.elf;

import dev.tcxsim.vm.btf.Btf;
import dev.tcxsim.vm.btf.BtfExt;
import dev.tcxsim.vm.btf.CoreException;
import dev.tcxsim.vm.btf.CoreResolver;
import dev.tcxsim.vm.btf.TargetBtf;

import java.util.List;
import java.util.Map;

/**
 * Applies an object's CO-RE relocations ({@code .BTF.ext} core_relo records) to its code
 * sections before programs are linked, as libbpf's bpf_object__relocate_core does, with the
 * values {@link CoreResolver} computes against the target BTF. Patchable instructions are those
 * libbpf patches: an ALU immediate, the offset of a load or store (whose size follows the
 * target field's where that is safe), and an LD_IMM64 constant. A relocation without a match
 * poisons its instruction (see {@link PoisonedInsn}); a record that makes no sense fails the
 * load with an {@link ElfFormatException} at the record's place in {@code .BTF.ext}.
 */
final class CoreRelocator {
    private static final int CLASS_LD = 0x00, CLASS_LDX = 0x01, CLASS_ST = 0x02, CLASS_STX = 0x03, CLASS_ALU = 0x04,
            CLASS_ALU64 = 0x07;
    private static final int SRC_X = 0x08;

    private final ProgramLinker linker;
    private final Btf btf;
    private final long extOffset;
    private final TargetBtf target;

    private CoreRelocator(ProgramLinker linker, Btf btf, long extOffset, TargetBtf target) {
        this.linker = linker;
        this.btf = btf;
        this.extOffset = extOffset;
        this.target = target;
    }

    /** Patches every CO-RE relocation of {@code ext} into {@code linker}'s code sections. */
    static void apply(ProgramLinker linker, Btf btf, BtfExt ext, long extOffset, TargetBtf target)
            throws ElfFormatException {
        CoreRelocator r = new CoreRelocator(linker, btf, extOffset, target);
        for (Map.Entry<String, List<BtfExt.CoreRecord>> e : ext.allCoreRelos().entrySet()) {
            // like libbpf for programs it does not load: no relocation, so no error either
            if (!linker.isIgnored(e.getKey())) {
                r.applySection(e.getKey(), e.getValue());
            }
        }
    }

    private void applySection(String sectionName, List<BtfExt.CoreRecord> records) throws ElfFormatException {
        int section = linker.codeSection(sectionName);
        if (section < 0) {
            throw new ElfFormatException(".BTF.ext", extOffset + records.getFirst().at(), records.size()
                    + " CO-RE relocation(s) for section '" + sectionName + "', which holds no code");
        }
        long[] insns = linker.sectionInsns(section);
        for (int i = 0; i < records.size(); i++) {
            BtfExt.CoreRecord rec = records.get(i);
            String where = "CO-RE relocation #" + i + " of section '" + sectionName + "'";
            if (rec.insnOff() % 8 != 0 || rec.insnOff() / 8 >= insns.length) {
                throw new ElfFormatException(".BTF.ext", extOffset + rec.at(), where + ": instruction byte offset "
                        + rec.insnOff() + " is not an instruction of the section (" + insns.length + " instructions)");
            }
            int idx = (int) (rec.insnOff() / 8);
            ProgramLinker.Func f = linker.functionAt(section, idx);
            where += " (" + (f == null ? "no function" : (f.entry() ? "program '" : "sub-program '") + f.name() + "'")
                    + ", instruction " + idx + ")";
            try {
                CoreResolver.Result res = CoreResolver.resolve(btf, rec, target);
                patch(insns, idx, res, where, section);
            } catch (CoreException e) {
                throw new ElfFormatException(".BTF.ext", extOffset + rec.at(), where + ": " + e.getMessage());
            }
        }
    }

    /** bpf_core_patch_insn: check the compiler's value where it is meaningful, then write the target's. */
    private void patch(long[] insns, int idx, CoreResolver.Result res, String where, int section) throws CoreException {
        long insn = insns[idx];
        int opcode = Insn.opcode(insn);
        int cls = opcode & 7;
        String relo = res.kind().shortName() + " " + res.local();
        if (res.poison()) {
            poison(insns, idx, where + ": " + relo + ": " + res.target(), section);
            return;
        }
        switch (cls) {
            case CLASS_ALU, CLASS_ALU64 -> {
                if ((opcode & SRC_X) != 0) {
                    throw new CoreException(relo + ": ALU instruction with a register operand has no immediate to relocate");
                }
                if (res.validate() && Insn.imm(insn) != res.origVal()) {
                    throw new CoreException(relo + ": instruction has immediate " + Insn.imm(insn) + ", expected "
                            + res.origVal());
                }
                insns[idx] = Insn.withImm(insn, (int) res.newVal());
            }
            case CLASS_LDX, CLASS_ST, CLASS_STX -> {
                if (res.validate() && Insn.off(insn) != res.origVal()) {
                    throw new CoreException(relo + ": load/store has offset " + Insn.off(insn) + ", expected "
                            + res.origVal());
                }
                if (res.newVal() > Short.MAX_VALUE || res.newVal() < 0) {
                    throw new CoreException(relo + ": target offset " + res.newVal() + " does not fit a load/store");
                }
                if (res.failMemSizeAdjust()) {
                    poison(insns, idx, where + ": " + relo + ": accesses the field with a size (" + res.origSize()
                            + " bytes) that cannot be adjusted to the target's " + res.newSize() + " bytes ("
                            + res.target() + ")", section);
                    return;
                }
                long patched = (insn & ~0xffff0000L) | (res.newVal() & 0xffffL) << 16;
                if (res.newSize() != res.origSize()) {
                    int have = sizeBytes(opcode);
                    if (have != res.origSize()) {
                        throw new CoreException(relo + ": load/store of " + have + " bytes on a field of "
                                + res.origSize());
                    }
                    int code = sizeCode(res.newSize());
                    if (code < 0) {
                        throw new CoreException(relo + ": target field of " + res.newSize()
                                + " bytes cannot be loaded with one instruction");
                    }
                    patched = (patched & ~0x18L) | code;
                }
                insns[idx] = patched;
            }
            case CLASS_LD -> {
                if (opcode != Insn.LD_IMM64 || idx + 1 >= insns.length || Insn.src(insn) != 0 || Insn.off(insn) != 0
                        || (insns[idx + 1] & 0xffffffffL) != 0) {
                    throw new CoreException(relo + ": not a plain LD_IMM64 constant");
                }
                long imm = Insn.imm64(insn, insns[idx + 1]);
                if (res.validate() && imm != res.origVal()) {
                    throw new CoreException(relo + ": LD_IMM64 holds " + imm + ", expected " + res.origVal());
                }
                insns[idx] = Insn.withImm(insn, (int) res.newVal());
                insns[idx + 1] = Insn.withImm(insns[idx + 1], (int) (res.newVal() >>> 32));
            }
            default -> throw new CoreException(relo + ": instruction opcode 0x" + Integer.toHexString(opcode)
                    + " cannot carry a CO-RE relocation");
        }
    }

    private void poison(long[] insns, int idx, String why, int section) {
        long call = Insn.make(Insn.CALL, 0, 0, 0, PoisonedInsn.HELPER_ID);
        int slots = 1;
        if (Insn.opcode(insns[idx]) == Insn.LD_IMM64 && idx + 1 < insns.length) {
            insns[idx + 1] = call;
            slots = 2;
        }
        insns[idx] = call;
        linker.notePoisoned(section, new PoisonedInsn(idx, slots, why));
    }

    private static int sizeBytes(int opcode) {
        return switch (opcode & 0x18) {
            case 0x00 -> 4;
            case 0x08 -> 2;
            case 0x10 -> 1;
            default -> 8;
        };
    }

    private static int sizeCode(int bytes) {
        return switch (bytes) {
            case 4 -> 0x00;
            case 2 -> 0x08;
            case 1 -> 0x10;
            case 8 -> 0x18;
            default -> -1;
        };
    }
}
