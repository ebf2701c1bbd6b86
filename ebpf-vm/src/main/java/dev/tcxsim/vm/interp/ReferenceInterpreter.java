package dev.tcxsim.vm.interp;

import dev.tcxsim.vm.Executor;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.helpers.Helpers;
import dev.tcxsim.vm.isa.Alu;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.RunState;

/**
 * The plain interpreter: a register array and a switch per instruction, no Truffle. It is the
 * reference the Truffle interpreter is compared with in the differential tests, so it is written
 * for obviousness, not speed. Arithmetic, memory and helpers are shared ({@link Alu},
 * {@link Memory}, {@link Helpers}); control flow, frames and calls are its own.
 */
public final class ReferenceInterpreter implements Executor {
    /** Depth of the function whose helper call is running on this thread (for helpers with callbacks). */
    private static final ThreadLocal<int[]> HELPER_CALLER_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private final long[] insns;

    public ReferenceInterpreter(long[] insns) {
        this.insns = insns;
    }

    @Override
    public long execute(RunState st, long r1, int depth) {
        return function(st, 0, new long[] {0, r1, 0, 0, 0, 0}, depth);
    }

    @Override
    public long callFunction(RunState st, int insn, long r1, long r2, long r3, long r4, long r5, int depth) {
        if (insn < 0 || insn >= insns.length) {
            throw new IllegalArgumentException("insn " + insn + " is outside the program (0.." + (insns.length - 1) + ")");
        }
        return function(st, insn, new long[] {0, r1, r2, r3, r4, r5}, depth);
    }

    @Override
    public long callFromHost(RunState st, int insn, long r1, long r2, long r3) {
        return callFunction(st, insn, r1, r2, r3, 0, 0, 0);
    }

    /** This interpreter counts into {@code st.insns} directly, so only the depth needs finding. */
    @Override
    public int helperCallerDepth(RunState st) {
        return HELPER_CALLER_DEPTH.get()[0];
    }

    /** Runs the function at {@code entry} with r1-r5 from {@code args} (index 1..5) in frame {@code depth}. */
    private long function(RunState st, int entry, long[] args, int depth) {
        long[] r = new long[11];
        System.arraycopy(args, 1, r, 1, 5);
        r[10] = RunState.framePointer(depth);
        st.clearFrame(depth, RunState.FRAME_SIZE); // a run never sees an earlier run's stack
        int pc = entry;
        while (true) {
            if (st.insns >= st.budget) {
                throw st.budgetExceeded(pc);
            }
            st.insns++;
            long insn = insns[pc];
            int opcode = Op.opcode(insn);
            int dst = Op.dst(insn);
            int src = Op.src(insn);
            int off = Op.off(insn);
            int imm = Op.imm(insn);
            switch (opcode & 7) {
                case Op.ALU64 -> {
                    if ((opcode & 0xf0) == Op.END) {
                        r[dst] = Alu.end(opcode, imm, r[dst]);
                    } else {
                        long s = (opcode & Op.X) != 0 ? r[src] : imm;
                        r[dst] = Alu.alu64(opcode & 0xf0, r[dst], s, off);
                    }
                    pc++;
                }
                case Op.ALU -> {
                    if ((opcode & 0xf0) == Op.END) {
                        r[dst] = Alu.end(opcode, imm, r[dst]);
                    } else {
                        long s = (opcode & Op.X) != 0 ? r[src] : imm;
                        r[dst] = Alu.alu32(opcode & 0xf0, r[dst], s, off);
                    }
                    pc++;
                }
                case Op.JMP, Op.JMP32 -> {
                    boolean jmp32 = (opcode & 7) == Op.JMP32;
                    int op = opcode & 0xf0;
                    if (op == Op.JA) {
                        pc += 1 + (jmp32 ? imm : off);
                    } else if (op == Op.EXIT) {
                        return r[0];
                    } else if (op == Op.CALL) {
                        if (src == Op.PSEUDO_CALL) {
                            if (depth + 1 >= RunState.MAX_FRAMES) {
                                throw new BpfFault(pc, "call nesting deeper than " + RunState.MAX_FRAMES + " frames");
                            }
                            r[0] = function(st, pc + 1 + imm, r, depth + 1);
                        } else if (imm == Helpers.TAIL_CALL) {
                            LoadedProgram target = Helpers.tailCallTarget(st, r[2], r[3], pc);
                            if (target != null) {
                                return target.executor().execute(st, r[1], depth);
                            }
                        } else {
                            HELPER_CALLER_DEPTH.get()[0] = depth;
                            r[0] = Helpers.call(st, imm, r[1], r[2], r[3], r[4], r[5], pc);
                        }
                        pc++;
                    } else {
                        long b = (opcode & Op.X) != 0 ? r[src] : imm;
                        boolean taken = jmp32 ? Alu.cond32(op, r[dst], b) : Alu.cond64(op, r[dst], b);
                        pc += taken ? 1 + off : 1;
                    }
                }
                case Op.LDX -> {
                    int size = Op.sizeBytes(opcode);
                    long v = Memory.load(st, r[src] + off, size, pc);
                    if ((opcode & 0xe0) == Op.MEMSX) {
                        v = switch (size) {
                            case 1 -> (byte) v;
                            case 2 -> (short) v;
                            default -> (int) v;
                        };
                    }
                    r[dst] = v;
                    pc++;
                }
                case Op.ST -> {
                    Memory.store(st, r[dst] + off, Op.sizeBytes(opcode), imm, pc);
                    pc++;
                }
                case Op.STX -> {
                    int size = Op.sizeBytes(opcode);
                    if ((opcode & 0xe0) == Op.MEM) {
                        Memory.store(st, r[dst] + off, size, r[src], pc);
                    } else if (imm == Op.LOAD_ACQ) {
                        r[dst] = Memory.load(st, r[src] + off, size, pc);
                    } else if (imm == Op.STORE_REL) {
                        Memory.store(st, r[dst] + off, size, r[src], pc);
                    } else {
                        long old = Memory.atomic(st, r[dst] + off, size, imm, r[src], r[0], pc);
                        if (size == 4) {
                            old &= 0xffffffffL;
                        }
                        if (imm == Op.CMPXCHG) {
                            r[0] = old;
                        } else if ((imm & Op.FETCH) != 0) {
                            r[src] = old;
                        }
                    }
                    pc++;
                }
                case Op.LD -> {
                    if (opcode == Op.LD_IMM64) {
                        r[dst] = (imm & 0xffffffffL) | ((long) Op.imm(insns[pc + 1]) << 32);
                        pc += 2;
                    } else {
                        long offset = (long) imm + ((opcode & 0xe0) == Op.IND ? (int) r[src] : 0);
                        long v = LegacyLoad.load(st.skb, offset, Op.sizeBytes(opcode));
                        if (v < 0) {
                            return 0; // out of bounds ends the program with r0 = 0, like the kernel
                        }
                        r[0] = v;
                        pc++;
                    }
                }
                default -> throw new AssertionError(opcode);
            }
        }
    }
}
