package dev.tcxsim.vm.verifier;

import dev.tcxsim.vm.SourceLines;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.helpers.HelperNames;
import dev.tcxsim.vm.helpers.Helpers;
import dev.tcxsim.vm.helpers.ProbeHelpers;
import dev.tcxsim.vm.helpers.Kfuncs;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.mem.RunState;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The structural checks the kernel's verifier makes before it starts tracking values: every
 * opcode is one the kernel knows with its reserved fields zero, registers are r0-r10 and r10 is
 * never written, jumps land on an instruction (not inside an LD_IMM64) of the same function,
 * calls name a known helper or a function start, functions end in exit or a jump, the call graph
 * has no recursion and at most 8 frames, stack accesses through r10 stay in the 512-byte frame,
 * and context accesses through a register known to hold the context respect __sk_buff's rules.
 *
 * <p>It does not track value ranges or pointer types: a program that passes here may still make
 * an access the kernel would refuse, which then stops it at run time with a fault.
 */
public final class Verifier {
    /** BPF_COMPLEXITY_LIMIT_INSNS. */
    public static final int MAX_INSNS = 1_000_000;
    /**
     * Program type 0 (BPF_PROG_TYPE_UNSPEC) marks a program whose r1 points at plain memory instead
     * of a context, as the bpf_conformance plugin protocol runs them: no context checks apply.
     */
    public static final int PROG_TYPE_MEMORY = 0;
    /** bpf_timer_set_callback's helper number. */
    private static final int TIMER_SET_CALLBACK = 170;

    private final ProgramSpec spec;
    private final long[] insns;
    private final boolean[] secondSlot;

    private Verifier(ProgramSpec spec, long[] insns) {
        this.spec = spec;
        this.insns = insns;
        this.secondSlot = new boolean[insns.length];
    }

    /** Checks {@code insns} (the program's instructions as the VM will run them); returns the function starts, 0 first. */
    public static int[] verify(ProgramSpec spec, long[] insns) throws VerifierException {
        return new Verifier(spec, insns).run();
    }

    private VerifierException fail(int pc, String rule) {
        return new VerifierException(pc, SourceLines.describe(spec, pc) + ": " + rule);
    }

    private int[] run() throws VerifierException {
        if (insns.length == 0) {
            throw new VerifierException("program " + spec.name() + " has no instructions");
        }
        if (insns.length > MAX_INSNS) {
            throw new VerifierException("program " + spec.name() + " has " + insns.length + " instructions, more than "
                    + MAX_INSNS);
        }
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (int pc = 0; pc < insns.length; pc++) {
            long insn = insns[pc];
            if (Op.opcode(insn) == Op.LD_IMM64) {
                if (pc + 1 >= insns.length) {
                    throw fail(pc, "LD_IMM64 is missing its second instruction slot");
                }
                secondSlot[pc + 1] = true;
                if (Op.src(insn) == Op.PSEUDO_FUNC) {
                    starts.add(target(pc, pc + 1 + Op.imm(insn), "function address"));
                }
                pc++;
            } else if (Op.opcode(insn) == (Op.JMP | Op.CALL) && Op.src(insn) == Op.PSEUDO_CALL) {
                starts.add(target(pc, pc + 1 + Op.imm(insn), "call"));
            }
        }
        int[] fstarts = starts.stream().mapToInt(Integer::intValue).toArray();
        for (int f = 0; f < fstarts.length; f++) {
            int from = fstarts[f];
            int to = f + 1 < fstarts.length ? fstarts[f + 1] : insns.length;
            if (secondSlot[from]) {
                throw fail(from, "a function starts inside an LD_IMM64");
            }
            for (int pc = from; pc < to; pc++) {
                if (!secondSlot[pc]) {
                    checkInsn(pc, from, to);
                }
            }
            int last = secondSlot[to - 1] ? to - 2 : to - 1;
            int op = Op.opcode(insns[last]);
            if (op != (Op.JMP | Op.EXIT) && op != (Op.JMP | Op.JA) && op != (Op.JMP32 | Op.JA)) {
                throw fail(last, "last instruction of function at insn " + from + " is not an exit or jump");
            }
        }
        if (fstarts.length > 1) {
            for (int pc = 0; pc < insns.length; pc++) {
                int mode = Op.opcode(insns[pc]) & 0xe7;
                if (!secondSlot[pc] && (mode == (Op.LD | Op.ABS) || mode == (Op.LD | Op.IND))) {
                    throw fail(pc, "BPF_LD_[ABS|IND] instructions cannot be mixed with bpf-to-bpf calls");
                }
            }
        }
        checkCallGraph(fstarts);
        if (spec.progType() != PROG_TYPE_MEMORY) {
            checkContextAccesses(fstarts.length > 1 ? fstarts[1] : insns.length);
        }
        return fstarts;
    }

    private int target(int pc, long t, String what) throws VerifierException {
        if (t < 0 || t >= insns.length) {
            throw fail(pc, what + " target " + t + " is outside the program (0.." + (insns.length - 1) + ")");
        }
        return (int) t;
    }

    private void checkInsn(int pc, int fnStart, int fnEnd) throws VerifierException {
        long insn = insns[pc];
        int opcode = Op.opcode(insn);
        int cls = opcode & 7;
        int dst = Op.dst(insn);
        int src = Op.src(insn);
        int off = Op.off(insn);
        int imm = Op.imm(insn);
        if (dst > 10 || src > 10) {
            throw fail(pc, "register r" + Math.max(dst, src) + " does not exist (r0-r10)");
        }
        switch (cls) {
            case Op.ALU, Op.ALU64 -> checkAlu(pc, opcode, dst, src, off, imm);
            case Op.JMP, Op.JMP32 -> checkJmp(pc, opcode, dst, src, off, imm, fnStart, fnEnd);
            case Op.LD -> checkLd(pc, opcode, dst, src, off, imm);
            case Op.LDX -> {
                int mode = opcode & 0xe0;
                if (mode != Op.MEM && !(mode == Op.MEMSX && (opcode & 0x18) != Op.DW)) {
                    throw fail(pc, "unknown opcode 0x" + Integer.toHexString(opcode));
                }
                if (imm != 0) {
                    throw fail(pc, "BPF_LDX uses reserved fields (imm " + imm + ")");
                }
                noWriteR10(pc, dst);
                checkStack(pc, src, off, Op.sizeBytes(opcode));
            }
            case Op.ST -> {
                if ((opcode & 0xe0) != Op.MEM) {
                    throw fail(pc, "unknown opcode 0x" + Integer.toHexString(opcode));
                }
                if (src != 0) {
                    throw fail(pc, "BPF_ST uses reserved fields (src r" + src + ")");
                }
                checkStack(pc, dst, off, Op.sizeBytes(opcode));
            }
            case Op.STX -> {
                int mode = opcode & 0xe0;
                if (mode == Op.ATOMIC) {
                    checkAtomic(pc, opcode, dst, src, imm);
                } else if (mode != Op.MEM) {
                    throw fail(pc, "unknown opcode 0x" + Integer.toHexString(opcode));
                } else if (imm != 0) {
                    throw fail(pc, "BPF_STX uses reserved fields (imm " + imm + ")");
                }
                checkStack(pc, dst, off, Op.sizeBytes(opcode));
            }
            default -> throw new AssertionError(cls);
        }
    }

    private void noWriteR10(int pc, int dst) throws VerifierException {
        if (dst == 10) {
            throw fail(pc, "frame pointer r10 is read only");
        }
    }

    private void checkStack(int pc, int base, int off, int size) throws VerifierException {
        if (base == 10 && (off < -RunState.FRAME_SIZE || off + size > 0)) {
            throw fail(pc, "invalid stack access off=" + off + " size=" + size + " (a frame is r10-"
                    + RunState.FRAME_SIZE + " .. r10)");
        }
    }

    private void checkAlu(int pc, int opcode, int dst, int src, int off, int imm) throws VerifierException {
        int op = opcode & 0xf0;
        boolean x = (opcode & Op.X) != 0;
        boolean is64 = (opcode & 7) == Op.ALU64;
        String name = "0x" + Integer.toHexString(opcode);
        if (op > Op.END) {
            throw fail(pc, "unknown opcode " + name);
        }
        noWriteR10(pc, dst);
        if (op == Op.END) {
            if (src != 0 || off != 0 || (is64 && x) || (imm != 16 && imm != 32 && imm != 64)) {
                throw fail(pc, "BPF_END uses reserved fields (imm must be 16, 32 or 64)");
            }
            return;
        }
        if (op == Op.NEG) {
            if (x || src != 0 || off != 0 || imm != 0) {
                throw fail(pc, "BPF_NEG uses reserved fields");
            }
            return;
        }
        if (x ? imm != 0 : src != 0) {
            throw fail(pc, "BPF_ALU uses reserved fields (" + (x ? "imm" : "src_reg") + " must be 0)");
        }
        boolean offOk = switch (op) {
            case Op.DIV, Op.MOD -> off == 0 || off == 1;
            case Op.MOV -> off == 0 || (x && (off == 8 || off == 16 || (is64 && off == 32)));
            default -> off == 0;
        };
        if (!offOk) {
            throw fail(pc, "BPF_ALU uses reserved fields (off " + off + ")");
        }
        if (!x && (op == Op.DIV || op == Op.MOD) && imm == 0) {
            throw fail(pc, "division by zero");
        }
        if (!x && (op == Op.LSH || op == Op.RSH || op == Op.ARSH) && (imm < 0 || imm >= (is64 ? 64 : 32))) {
            throw fail(pc, "invalid shift " + imm);
        }
    }

    private void checkJmp(int pc, int opcode, int dst, int src, int off, int imm, int fnStart, int fnEnd)
            throws VerifierException {
        int op = opcode & 0xf0;
        boolean jmp32 = (opcode & 7) == Op.JMP32;
        boolean x = (opcode & Op.X) != 0;
        String name = "0x" + Integer.toHexString(opcode);
        if (op > Op.JSLE) {
            throw fail(pc, "unknown opcode " + name);
        }
        switch (op) {
            case Op.JA -> {
                if (x || src != 0 || dst != 0 || (jmp32 ? off != 0 : imm != 0)) {
                    throw fail(pc, "BPF_JA uses reserved fields");
                }
                jumpTarget(pc, pc + 1L + (jmp32 ? imm : off), fnStart, fnEnd);
            }
            case Op.CALL -> {
                if (jmp32 || x || dst != 0 || off != 0) {
                    throw fail(pc, "BPF_CALL uses reserved fields");
                }
                if (src == Op.PSEUDO_CALL) {
                    return;
                }
                if (src == Op.PSEUDO_KFUNC_CALL) {
                    if (Kfuncs.isKfunc(imm)) {
                        return; // bound by name at load (Kfuncs.bind)
                    }
                    throw fail(pc, "kfunc call with BTF id " + imm + " that the loader did not resolve to a kfunc the"
                            + " simulator implements");
                }
                if (src != 0) {
                    throw fail(pc, "BPF_CALL uses reserved fields (src_reg " + src + ")");
                }
                if (imm == dev.tcxsim.vm.elf.PoisonedInsn.HELPER_ID && spec.poisonedAt(pc) != null) {
                    return; // a CO-RE relocation the loader could not resolve: faults if reached, as after libbpf
                }
                String helperName = HelperNames.name(imm);
                if (helperName == null) {
                    throw fail(pc, "invalid func unknown#" + imm + ": no kernel helper has number " + imm);
                }
                String refused = ProbeHelpers.refusedForTc(imm);
                if (refused != null) {
                    throw fail(pc, refused);
                }
                if (!Helpers.implemented(imm)) {
                    throw fail(pc, "helper " + imm + " (bpf_" + helperName + ") is not supported by the simulator");
                }
            }
            case Op.EXIT -> {
                if (jmp32 || x || src != 0 || dst != 0 || off != 0 || imm != 0) {
                    throw fail(pc, "BPF_EXIT uses reserved fields");
                }
            }
            default -> {
                if (x ? imm != 0 : src != 0) {
                    throw fail(pc, "BPF_JMP uses reserved fields (" + (x ? "imm" : "src_reg") + " must be 0)");
                }
                jumpTarget(pc, pc + 1L + off, fnStart, fnEnd);
            }
        }
    }

    private void jumpTarget(int pc, long t, int fnStart, int fnEnd) throws VerifierException {
        if (t < fnStart || t >= fnEnd) {
            throw fail(pc, "jump out of range from insn " + pc + " to " + t + " (the function spans " + fnStart + ".."
                    + (fnEnd - 1) + ")");
        }
        if (secondSlot[(int) t]) {
            throw fail(pc, "jump into the middle of LD_IMM64 at insn " + (t - 1));
        }
    }

    private void checkLd(int pc, int opcode, int dst, int src, int off, int imm) throws VerifierException {
        if (opcode == Op.LD_IMM64) {
            long second = insns[pc + 1];
            if (Op.opcode(second) != 0 || Op.dst(second) != 0 || Op.src(second) != 0 || Op.off(second) != 0) {
                throw fail(pc, "invalid bpf_ld_imm64 insn: the second slot has reserved fields set");
            }
            if (off != 0) {
                throw fail(pc, "invalid bpf_ld_imm64 insn: off must be 0");
            }
            if (src > Op.PSEUDO_FUNC) {
                throw fail(pc, "unrecognized bpf_ld_imm64 insn (src_reg " + src + ")");
            }
            noWriteR10(pc, dst);
            return;
        }
        int mode = opcode & 0xe0;
        if ((mode != Op.ABS && mode != Op.IND) || (opcode & 0x18) == Op.DW) {
            throw fail(pc, "unknown opcode 0x" + Integer.toHexString(opcode));
        }
        if (dst != 0 || off != 0 || (mode == Op.ABS && src != 0)) {
            throw fail(pc, "BPF_LD_[ABS|IND] uses reserved fields");
        }
    }

    private void checkAtomic(int pc, int opcode, int dst, int src, int imm) throws VerifierException {
        int size = opcode & 0x18;
        boolean rmw = switch (imm) {
            case Op.ADD, Op.OR, Op.AND, Op.XOR, Op.ADD | Op.FETCH, Op.OR | Op.FETCH, Op.AND | Op.FETCH,
                 Op.XOR | Op.FETCH, Op.XCHG, Op.CMPXCHG -> true;
            default -> false;
        };
        if (rmw) {
            if (size != Op.W && size != Op.DW) {
                throw fail(pc, "invalid atomic operand size: only 4 and 8 bytes");
            }
            if ((imm & Op.FETCH) != 0 && imm != Op.CMPXCHG) {
                noWriteR10(pc, src);
            }
            return;
        }
        if (imm == Op.LOAD_ACQ) {
            noWriteR10(pc, dst);
            return;
        }
        if (imm != Op.STORE_REL) {
            throw fail(pc, "BPF_ATOMIC uses invalid atomic opcode 0x" + Integer.toHexString(imm));
        }
    }

    // ---- calls

    private void checkCallGraph(int[] fstarts) throws VerifierException {
        int n = fstarts.length;
        List<List<Integer>> callees = new ArrayList<>();
        List<List<Integer>> sites = new ArrayList<>();
        for (int f = 0; f < n; f++) {
            callees.add(new ArrayList<>());
            sites.add(new ArrayList<>());
            int to = f + 1 < n ? fstarts[f + 1] : insns.length;
            for (int pc = fstarts[f]; pc < to; pc++) {
                long insn = insns[pc];
                boolean call = Op.opcode(insn) == (Op.JMP | Op.CALL) && Op.src(insn) == Op.PSEUDO_CALL;
                // a function whose address is taken is a callback (bpf_loop, for_each_map_elem): the
                // kernel verifies it one frame below the function that passes it; a timer callback
                // runs on a stack of its own, so it starts a call chain of its own
                boolean callback = Op.opcode(insn) == Op.LD_IMM64 && Op.src(insn) == Op.PSEUDO_FUNC
                        && !passedToTimer(pc);
                if (!secondSlot[pc] && (call || callback)) {
                    callees.get(f).add(Arrays.binarySearch(fstarts, pc + 1 + Op.imm(insn)));
                    sites.get(f).add(pc);
                }
            }
        }
        int[] state = new int[n]; // 0 new, 1 on the path, 2 done
        int[] depth = new int[n];
        depthOf(0, callees, sites, state, depth);
    }

    /**
     * Whether the function address loaded at {@code pc} goes to bpf_timer_set_callback: it is
     * loaded into r2 and the next call in straight-line code is that helper (as clang emits it).
     */
    private boolean passedToTimer(int pc) {
        if (Op.dst(insns[pc]) != 2) {
            return false;
        }
        for (int i = pc + 2; i < insns.length; i++) {
            long insn = insns[i];
            int cls = Op.opcode(insn) & 7;
            if (cls == Op.JMP || cls == Op.JMP32) {
                return Op.opcode(insn) == (Op.JMP | Op.CALL) && Op.src(insn) == 0 && Op.imm(insn) == TIMER_SET_CALLBACK;
            }
            if (Op.opcode(insn) == Op.LD_IMM64) {
                i++;
            }
        }
        return false;
    }

    private int depthOf(int f, List<List<Integer>> callees, List<List<Integer>> sites, int[] state, int[] depth)
            throws VerifierException {
        if (state[f] == 2) {
            return depth[f];
        }
        state[f] = 1;
        int max = 1;
        for (int i = 0; i < callees.get(f).size(); i++) {
            int g = callees.get(f).get(i);
            if (state[g] == 1) {
                throw fail(sites.get(f).get(i), "recursive call: the call graph has a cycle");
            }
            max = Math.max(max, 1 + depthOf(g, callees, sites, state, depth));
            if (max > RunState.MAX_FRAMES) {
                throw fail(sites.get(f).get(i), "the call chain is " + max + " frames deep, more than "
                        + RunState.MAX_FRAMES);
            }
        }
        state[f] = 2;
        depth[f] = max;
        return max;
    }

    // ---- context accesses in the entry function

    /**
     * A forward data-flow pass over the entry function that knows which registers hold the
     * unmodified context pointer (r1 at entry, copies of it by mov), so that constant-offset
     * context accesses are checked at load time like the kernel checks them.
     */
    private void checkContextAccesses(int end) throws VerifierException {
        int[] in = new int[end];
        Arrays.fill(in, -1); // -1: not reached yet
        in[0] = 1 << 1;
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(0);
        while (!work.isEmpty()) {
            int pc = work.poll();
            long insn = insns[pc];
            int opcode = Op.opcode(insn);
            int cls = opcode & 7;
            int dst = Op.dst(insn);
            int src = Op.src(insn);
            int ctx = in[pc];
            int out = ctx;
            int next = pc + 1;
            int jump = -1;
            boolean fallthrough = true;
            switch (cls) {
                case Op.ALU, Op.ALU64 -> {
                    boolean copy = opcode == (Op.ALU64 | Op.MOV | Op.X) && Op.off(insn) == 0;
                    out = copy && (ctx & (1 << src)) != 0 ? ctx | (1 << dst) : ctx & ~(1 << dst);
                }
                case Op.LDX -> {
                    checkCtxAccess(pc, ctx, src, Op.off(insn), Op.sizeBytes(opcode), false);
                    out = ctx & ~(1 << dst);
                }
                case Op.ST -> checkCtxAccess(pc, ctx, dst, Op.off(insn), Op.sizeBytes(opcode), true);
                case Op.STX -> {
                    if ((opcode & 0xe0) == Op.ATOMIC) {
                        if ((ctx & (1 << dst)) != 0) {
                            throw fail(pc, "atomic operation on the context is not allowed");
                        }
                        int imm = Op.imm(insn);
                        out = imm == Op.CMPXCHG ? ctx & ~1 : (imm & Op.FETCH) != 0 || imm == Op.LOAD_ACQ
                                ? ctx & ~(1 << (imm == Op.LOAD_ACQ ? dst : src)) : ctx;
                    } else {
                        checkCtxAccess(pc, ctx, dst, Op.off(insn), Op.sizeBytes(opcode), true);
                    }
                }
                case Op.LD -> {
                    if (opcode == Op.LD_IMM64) {
                        out = ctx & ~(1 << dst);
                        next = pc + 2;
                    } else {
                        out = ctx & ~0x3f; // LD_ABS/IND clobber r0-r5
                    }
                }
                default -> { // JMP, JMP32
                    int op = opcode & 0xf0;
                    if (op == Op.EXIT) {
                        fallthrough = false;
                    } else if (op == Op.CALL) {
                        out = ctx & ~0x3f;
                    } else if (op == Op.JA) {
                        jump = pc + 1 + (cls == Op.JMP32 ? Op.imm(insn) : Op.off(insn));
                        fallthrough = false;
                    } else {
                        jump = pc + 1 + Op.off(insn);
                    }
                }
            }
            if (fallthrough && next < end) {
                merge(in, work, next, out);
            }
            if (jump >= 0 && jump < end) {
                merge(in, work, jump, out);
            }
        }
    }

    private static void merge(int[] in, ArrayDeque<Integer> work, int pc, int state) {
        int old = in[pc];
        int merged = old == -1 ? state : old & state;
        if (merged != old) {
            in[pc] = merged;
            work.add(pc);
        }
    }

    private void checkCtxAccess(int pc, int ctx, int base, int off, int size, boolean write) throws VerifierException {
        if ((ctx & (1 << base)) == 0) {
            return;
        }
        String why = SkBuffLayout.checkAccess(off, size, write);
        if (why != null) {
            throw fail(pc, "invalid bpf_context access off=" + off + " size=" + size + ": " + why);
        }
    }
}
