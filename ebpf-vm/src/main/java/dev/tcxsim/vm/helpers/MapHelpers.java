package dev.tcxsim.vm.helpers;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import dev.tcxsim.vm.SourceLines;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.maps.BloomFilterMap;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.MapException;
import dev.tcxsim.vm.maps.MapTypes;
import dev.tcxsim.vm.maps.QueueStackMap;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.mem.RunState;

/**
 * The helpers of the keyless map types: bpf_map_push_elem, bpf_map_pop_elem and
 * bpf_map_peek_elem on queues and stacks (kernel/bpf/queue_stack_maps.c), push and peek on bloom
 * filters (kernel/bpf/bloom_filter.c), where peek's value is the question asked. The kernel's verifier
 * refuses these helpers on other map types ("cannot pass map_type N into func"); the simulator
 * learns the map only when the call runs, so it stops the program there with the same words.
 */
public final class MapHelpers {
    public static final int MAP_PUSH_ELEM = 87, MAP_POP_ELEM = 88, MAP_PEEK_ELEM = 89;

    private MapHelpers() {
    }

    /** bpf_redirect_map: net/core/filter.c offers it to XDP programs only (xdp_func_proto), never to tc. */
    public static final int REDIRECT_MAP = 51;
    private static final int SCHED_CLS = 3, SCHED_ACT = 4;

    /**
     * Refuses, at load time, map helpers the kernel does not give tc programs, with the kernel
     * verifier's words ("program of this type cannot use helper bpf_redirect_map#51").
     */
    public static void checkProgramType(ProgramSpec spec) throws VerifierException {
        if (spec.progType() != SCHED_CLS && spec.progType() != SCHED_ACT) {
            return;
        }
        long[] insns = spec.insns();
        for (int pc = 0; pc < insns.length; pc++) {
            long insn = insns[pc];
            if (Op.opcode(insn) == (Op.JMP | Op.CALL) && Op.src(insn) == 0 && Op.imm(insn) == REDIRECT_MAP) {
                throw new VerifierException(pc, SourceLines.describe(spec, pc) + ": program of type "
                        + (spec.progType() == SCHED_CLS ? "sched_cls" : "sched_act") + " cannot use helper "
                        + "bpf_redirect_map#51 (the kernel offers it to XDP programs; tc programs redirect with "
                        + "bpf_redirect)");
            }
            if (Op.opcode(insn) == Op.LD_IMM64) {
                pc++;
            }
        }
    }

    /** True for the helper numbers {@link #call} serves. */
    public static boolean serves(int id) {
        return id == MAP_PUSH_ELEM || id == MAP_POP_ELEM || id == MAP_PEEK_ELEM;
    }

    /** Runs helper {@code id} and returns r0: 0 or a negative errno. */
    @TruffleBoundary
    public static long call(RunState st, int id, long r1, long r2, long r3, long r4, long r5, int pc) {
        BpfMap m = map(r1, id, pc);
        return switch (id) {
            case MAP_PUSH_ELEM -> {
                byte[] value = Memory.readBytes(st, r2, m.valueSize(), pc, Helpers.describe(id) + " value");
                if (m instanceof QueueStackMap q) {
                    yield q.push(value, r3);
                }
                if (m instanceof BloomFilterMap b) {
                    yield b.push(value, r3);
                }
                throw wrongType(m, id, pc);
            }
            case MAP_POP_ELEM, MAP_PEEK_ELEM -> {
                if (id == MAP_PEEK_ELEM && m instanceof BloomFilterMap b) {
                    yield b.peek(Memory.readBytes(st, r2, m.valueSize(), pc, Helpers.describe(id) + " value"));
                }
                if (!(m instanceof QueueStackMap q)) {
                    throw wrongType(m, id, pc);
                }
                byte[] v = q.take(id == MAP_POP_ELEM);
                // the kernel zeroes the destination when the map is empty
                Memory.writeBytes(st, r2, v == null ? new byte[m.valueSize()] : v, pc, Helpers.describe(id) + " value");
                yield v == null ? -MapException.ENOENT : 0;
            }
            default -> throw new BpfFault(pc, Helpers.describe(id) + " is not a map helper");
        };
    }

    private static BpfMap map(long handle, int id, int pc) {
        int tag = Ptr.tag(handle);
        BpfMap m = Ptr.isMapHandle(tag) && Ptr.offset(handle) == 0 ? BpfMap.byId(tag - Ptr.MAP_HANDLE) : null;
        if (m == null) {
            throw new BpfFault(pc, Helpers.describe(id) + ": R1 is not a map pointer (0x" + Long.toHexString(handle)
                    + ")");
        }
        return m;
    }

    private static BpfFault wrongType(BpfMap m, int id, int pc) {
        return new BpfFault(pc, "cannot pass map_type " + m.type() + " (" + MapTypes.name(m.type()) + ", map '"
                + m.name() + "') into func bpf_" + HelperNames.name(id) + "#" + id);
    }
}
