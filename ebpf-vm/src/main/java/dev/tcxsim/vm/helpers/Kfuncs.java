package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.SourceLines;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.elf.KfuncCall;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.RunState;

import java.util.List;

/**
 * The kfuncs the simulator implements. A kfunc call reaches the VM as CALL with src_reg
 * BPF_PSEUDO_KFUNC_CALL and a BTF id that only means something in one BTF (the object's or a
 * kernel's), so the loader resolves it by name ({@link #idOf}) and writes the kfunc's dispatch id
 * into imm: ids from {@link #BASE} up, far from helper numbers, which the interpreters hand to
 * {@link Helpers#call} like a helper's.
 */
public final class Kfuncs {
    /** The first dispatch id: above every helper number. */
    public static final int BASE = 0x10000;
    private static final List<String> NAMES = List.of("bpf_dynptr_from_skb", "bpf_dynptr_slice", "bpf_dynptr_slice_rdwr");
    private static final int DYNPTR_FROM_SKB = BASE, DYNPTR_SLICE = BASE + 1, DYNPTR_SLICE_RDWR = BASE + 2;

    private Kfuncs() {
    }

    /** The dispatch id of kfunc {@code name}, or -1 when the simulator does not implement it. */
    public static int idOf(String name) {
        int i = NAMES.indexOf(name);
        return i < 0 ? -1 : BASE + i;
    }

    /** True for a dispatch id {@link #idOf} hands out. */
    public static boolean isKfunc(int id) {
        return id >= BASE && id < BASE + NAMES.size();
    }

    /** "kfunc bpf_dynptr_slice" for a dispatch id. */
    public static String describe(int id) {
        return isKfunc(id) ? "kfunc " + NAMES.get(id - BASE) : "kfunc #" + id;
    }

    /**
     * Writes the dispatch id into every kfunc call of {@code insns} (the program's instructions as
     * the VM will run them), by the names the loader found ({@link ProgramSpec#kfuncCalls}); a
     * kfunc the simulator does not implement fails the load like an unknown helper.
     */
    public static void bind(ProgramSpec spec, long[] insns) throws VerifierException {
        for (KfuncCall k : spec.kfuncCalls()) {
            int pc = k.insnIndex();
            if (pc < 0 || pc >= insns.length || Op.src(insns[pc]) != Op.PSEUDO_KFUNC_CALL) {
                throw new VerifierException(pc, SourceLines.describe(spec, Math.max(0, pc)) + ": kfunc call to "
                        + k.name() + " is not at a kfunc CALL instruction");
            }
            int id = idOf(k.name());
            if (id < 0) {
                throw new VerifierException(pc, SourceLines.describe(spec, pc) + ": kfunc " + k.name()
                        + " is not supported by the simulator (it has " + String.join(", ", NAMES) + ")");
            }
            insns[pc] = Op.withImm(insns[pc], id);
        }
    }

    /** The kfuncs by name, for reports ("prog check"). */
    public static List<String> names() {
        return NAMES;
    }

    static long call(RunState st, int id, long r1, long r2, long r3, long r4, long r5, int pc) {
        return switch (id) {
            case DYNPTR_FROM_SKB -> Dynptrs.fromSkb(st, r1, r2, r3, pc);
            case DYNPTR_SLICE -> Dynptrs.slice(st, r1, r2, r3, r4, false, pc);
            case DYNPTR_SLICE_RDWR -> Dynptrs.slice(st, r1, r2, r3, r4, true, pc);
            default -> throw new BpfFault(pc, describe(id) + " is not implemented by the simulator");
        };
    }
}
