package dev.tcxsim.vm.truffle;

import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.mem.RunState;

/**
 * How many bytes at the top of its 512-byte frame a BPF function can touch, from its instructions.
 *
 * <p>A run reuses its thread's stack array, and each function clears the bytes of its frame it
 * may use when it is entered, so no run ever sees what an earlier one left (the kernel gives no
 * such promise, but tests that compare runs need it). Clearing only what the function uses keeps
 * a small function's entry cheap: clang addresses the stack as {@code r10 + off} or through a
 * pointer made by {@code rX = r10; rX += -N}, so the lowest byte is bounded by the most negative
 * offset plus the sum of every negative step applied to such pointers. A stack pointer moved by a
 * register, or saved to memory, makes it answer the whole frame.
 *
 * <p>The scan reads the function once, in order, ignoring control flow, so it can misjudge a
 * register that is a stack pointer on one path and a number on another, or a loop that walks a
 * stack pointer downwards. Such a miss has one effect: the program may see bytes an earlier run
 * left — exactly what the kernel allows — never an access outside the stack, because every access
 * is still bounds-checked.
 */
final class StackUse {
    private StackUse() {
    }

    static int frameBytes(long[] insns, int start, int end) {
        boolean[] derived = new boolean[11];
        derived[10] = true;
        int lowestOff = 0;
        int lowestAdd = 0;
        for (int pc = start; pc < end; pc++) {
            long insn = insns[pc];
            int opcode = Op.opcode(insn);
            int cls = opcode & 7;
            int dst = Op.dst(insn);
            int src = Op.src(insn);
            int off = Op.off(insn);
            int imm = Op.imm(insn);
            switch (cls) {
                case Op.LDX -> {
                    if (derived[src & 0xf]) {
                        lowestOff = Math.min(lowestOff, off);
                    }
                    derived[dst & 0xf] = dst == 10;
                }
                case Op.ST -> {
                    if (derived[dst & 0xf]) {
                        lowestOff = Math.min(lowestOff, off);
                    }
                }
                case Op.STX -> {
                    if (derived[dst & 0xf]) {
                        lowestOff = Math.min(lowestOff, off);
                    }
                    if (derived[src & 0xf]) {
                        return RunState.FRAME_SIZE; // a stack pointer saved to memory: not followed
                    }
                }
                case Op.ALU64, Op.ALU -> {
                    int op = opcode & 0xf0;
                    boolean regSource = (opcode & Op.X) != 0;
                    if (op == Op.MOV) {
                        derived[dst & 0xf] = dst == 10 || (regSource && derived[src & 0xf] && cls == Op.ALU64);
                    } else if (derived[dst & 0xf] && dst != 10) {
                        if (regSource && (op == Op.ADD || op == Op.SUB)) {
                            return RunState.FRAME_SIZE; // moved by a register
                        }
                        long step = op == Op.ADD && !regSource ? imm : op == Op.SUB && !regSource ? -(long) imm : 0;
                        if (step < 0) {
                            lowestAdd = (int) Math.max(-2L * RunState.FRAME_SIZE, lowestAdd + step);
                        }
                    }
                }
                case Op.LD -> {
                    if (opcode == Op.LD_IMM64) {
                        derived[dst & 0xf] = dst == 10;
                        pc++;
                    }
                }
                case Op.JMP, Op.JMP32 -> {
                    if ((opcode & 0xf0) == Op.CALL) {
                        for (int r = 0; r <= 5; r++) {
                            derived[r] = false; // r0 is the result; r1-r5 are clobbered
                        }
                    }
                }
                default -> {
                }
            }
        }
        long lowest = (long) lowestOff + lowestAdd;
        if (lowest < -RunState.FRAME_SIZE) {
            return RunState.FRAME_SIZE;
        }
        return (int) Math.min(RunState.FRAME_SIZE, (-lowest + 7) & ~7);
    }
}
