package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.SourceLines;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.isa.Op;

import java.util.Arrays;

/**
 * The verifier's rule for tail calls mixed with bpf-to-bpf calls (kernel/bpf/verifier.c,
 * check_max_stack_depth_subprog): a tail call does not unwind the frames of the functions that
 * called the one making it, so a sub-function that tail-calls may only be reached while those
 * caller frames together hold less than 256 bytes of stack. With 33 tail calls that bounds the
 * worst case at about 8 KiB of kernel stack.
 *
 * <p>A function's stack depth is the deepest r10-relative byte it touches, found by following
 * r10 through moves and constant adds in a straight scan (what clang emits), rounded up to 16 as
 * the JIT's verifier does. The tail-call count itself is shared by every frame of a run, like the
 * kernel's (RunState.tailCalls, at most 33).
 */
public final class TailCallRules {
    /** Caller frames may hold less than this many stack bytes where a sub-function tail-calls. */
    public static final int MAX_CALLER_STACK = 256;
    private static final int TAIL_CALL = 12;

    private TailCallRules() {
    }

    /** Refuses {@code insns} (functions starting at {@code functionStarts}) when they break the rule. */
    public static void check(ProgramSpec spec, long[] insns, int[] functionStarts) throws VerifierException {
        int n = functionStarts.length;
        if (n < 2) {
            return;
        }
        int[] starts = functionStarts.clone();
        Arrays.sort(starts);
        int[] stack = new int[n];
        boolean[] tailCalls = new boolean[n];
        for (int f = 0; f < n; f++) {
            int end = f + 1 < n ? starts[f + 1] : insns.length;
            stack[f] = roundUp(stackDepth(insns, starts[f], end));
            for (int pc = starts[f]; pc < end; pc++) {
                if (isCall(insns[pc], 0) && Op.imm(insns[pc]) == TAIL_CALL) {
                    tailCalls[f] = true;
                }
            }
        }
        walk(spec, insns, starts, stack, tailCalls, 0, 0, -1, 0);
    }

    /** Visits function {@code f} entered with {@code depth} bytes of caller stack, from the call at {@code callPc}. */
    private static void walk(ProgramSpec spec, long[] insns, int[] starts, int[] stack, boolean[] tailCalls, int f,
                             int depth, int callPc, int frames) throws VerifierException {
        if (f != 0 && tailCalls[f] && depth >= MAX_CALLER_STACK) {
            throw new VerifierException(callPc, SourceLines.describe(spec, callPc) + ": tail_calls are not allowed "
                    + "when call stack of previous frames is " + depth + " bytes. Too large (the function at insn "
                    + starts[f] + " tail-calls; its callers may hold at most " + (MAX_CALLER_STACK - 1) + ")");
        }
        if (frames > 8) {
            return; // deeper nesting is the structural verifier's error, not this rule's
        }
        int end = f + 1 < starts.length ? starts[f + 1] : insns.length;
        for (int pc = starts[f]; pc < end; pc++) {
            if (isCall(insns[pc], Op.PSEUDO_CALL)) {
                int target = Arrays.binarySearch(starts, pc + 1 + Op.imm(insns[pc]));
                if (target >= 0) {
                    walk(spec, insns, starts, stack, tailCalls, target, depth + stack[f], pc, frames + 1);
                }
            } else if (Op.opcode(insns[pc]) == Op.LD_IMM64) {
                pc++;
            }
        }
    }

    private static boolean isCall(long insn, int src) {
        return Op.opcode(insn) == (Op.JMP | Op.CALL) && Op.src(insn) == src;
    }

    private static int roundUp(int depth) {
        return (depth + 15) & ~15;
    }

    /** The deepest stack byte [start, end) touches: r10 followed through register moves and constant adds. */
    static int stackDepth(long[] insns, int start, int end) {
        long unknown = Long.MIN_VALUE;
        long[] off = new long[11];
        Arrays.fill(off, unknown);
        off[10] = 0;
        int depth = 0;
        for (int pc = start; pc < end; pc++) {
            long insn = insns[pc];
            int op = Op.opcode(insn);
            int cls = op & 7;
            int dst = Op.dst(insn);
            int src = Op.src(insn);
            if (op == Op.LD_IMM64) {
                off[dst] = unknown;
                pc++;
                continue;
            }
            if (cls == Op.ALU64 && dst < 10) {
                int aluOp = op & 0xf0;
                boolean x = (op & Op.X) != 0;
                if (aluOp == Op.MOV && x && src <= 10 && Op.off(insn) == 0) {
                    off[dst] = off[src];
                } else if ((aluOp == Op.ADD || aluOp == Op.SUB) && !x && off[dst] != unknown) {
                    off[dst] += aluOp == Op.ADD ? Op.imm(insn) : -(long) Op.imm(insn);
                } else {
                    off[dst] = unknown;
                }
                if (off[dst] != unknown && off[dst] < 0) {
                    depth = (int) Math.max(depth, Math.min(-off[dst], 1 << 20));
                }
                continue;
            }
            if (cls == Op.ALU && dst < 10) {
                off[dst] = unknown;
                continue;
            }
            int base = cls == Op.LDX ? src : cls == Op.ST || cls == Op.STX ? dst : -1;
            if (base >= 0 && base <= 10 && off[base] != unknown) {
                long at = off[base] + Op.off(insn);
                if (at < 0) {
                    depth = (int) Math.max(depth, Math.min(-at, 1 << 20));
                }
            }
            if (cls == Op.LDX && dst < 10) {
                off[dst] = unknown;
            }
            if (cls == Op.JMP && (op & 0xf0) == Op.CALL) {
                for (int r = 0; r <= 5; r++) {
                    off[r] = unknown;
                }
            }
        }
        return depth;
    }
}
