package dev.tcxsim.vm.truffle;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.CompilerAsserts;
import com.oracle.truffle.api.CompilerDirectives;
import com.oracle.truffle.api.CompilerDirectives.CompilationFinal;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.FrameDescriptor;
import com.oracle.truffle.api.frame.FrameSlotKind;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.BytecodeOSRNode;
import com.oracle.truffle.api.nodes.DirectCallNode;
import com.oracle.truffle.api.nodes.ExplodeLoop;
import com.oracle.truffle.api.nodes.ExplodeLoop.LoopExplosionKind;
import com.oracle.truffle.api.nodes.RootNode;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.helpers.Helpers;
import dev.tcxsim.vm.interp.LegacyLoad;
import dev.tcxsim.vm.isa.Alu;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.maps.ArrayMap;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.mem.RunState;

import java.util.function.IntFunction;

/**
 * One BPF function as a Truffle root node: the whole function is one bytecode loop over its
 * instructions, the dispatch loop of this interpreter.
 *
 * <h2>Why the loop has this shape</h2>
 * <ul>
 * <li>{@link #executeFrom} is annotated {@code @ExplodeLoop(kind = MERGE_EXPLODE)}. During partial
 * evaluation the compiler unrolls the loop once per distinct {@code pc} value and merges paths that
 * reach the same {@code pc}, so the result is a control-flow graph with one block per BPF
 * instruction, the jumps of the program becoming the edges. For that, {@code pc} must be a
 * partial-evaluation constant at the loop head (asserted below): every instruction sets it to a
 * constant ({@code pc + 1}, or {@code pc + 1 + off} on a taken branch), never to a loaded value.
 * <li>The instructions are a {@code @CompilationFinal(dimensions = 1) long[]}, so
 * {@code insns[pc]} folds to a constant, and with it the opcode, the registers and the immediate:
 * the {@code switch} disappears and each block holds just the operation of its instruction.
 * The shared semantic methods ({@link Alu}, {@link Memory}) are called with constant operation
 * codes and reduce to one operation each.
 * <li>Registers live in frame slots 0-10 of kind Long. The frame is virtual, so after partial
 * evaluation they are plain SSA values in machine registers; no long[] is ever allocated.
 * <li>Conditional jumps keep two {@code @CompilationFinal} flags per instruction (taken seen,
 * not-taken seen). A branch direction never seen in the interpreter is not compiled at all:
 * reaching it deoptimizes, records it, and the next compilation includes it.
 * <li>Each load and store remembers which memory region it has touched
 * ({@code @CompilationFinal} byte per instruction), so compiled code checks one tag and calls the
 * region's accessor directly, a bounds check plus an array access; a site that sees a second
 * region deoptimizes and becomes generic.
 * <li>Helpers are behind {@code @TruffleBoundary}: they allocate, take locks and build strings,
 * none of which belongs in the compiled loop. Errors are built behind boundaries too. The one
 * exception is map_lookup_elem on a plain array map, the hottest helper of tc programs, which
 * is inlined with the map as a per-site constant ({@link #mapLookup}).
 * <li>BPF-to-BPF calls go through one {@link DirectCallNode} per call site, so small callees are
 * inlined into their callers.
 * <li>A backward jump polls for on-stack replacement ({@link BytecodeOSRNode}): a long-running
 * loop in a program that runs once still gets compiled, and execution jumps into the compiled
 * loop at the jump's target.
 * <li>The instruction count lives in a frame slot, not in a Java local, while the loop runs and is
 * written to the run state only at calls, exits and OSR: MERGE_EXPLODE merges two arrivals at a
 * pc only when the Java locals are the same values, so a local counter that changes on every
 * instruction would make it unroll forever; a frame slot just becomes a phi.
 * </ul>
 */
public final class EbpfFunctionNode extends RootNode implements BytecodeOSRNode {
    static final int STATE_SLOT = 11;
    static final int DEPTH_SLOT = 12;
    static final int COUNT_SLOT = 13;

    @CompilationFinal(dimensions = 1) private final long[] insns;
    private final int start;
    private final int end;
    private final String name;
    @CompilationFinal(dimensions = 1) private final byte[] siteKinds;
    @CompilationFinal(dimensions = 1) private final boolean[] seenTaken;
    @CompilationFinal(dimensions = 1) private final boolean[] seenNotTaken;
    @CompilationFinal(dimensions = 1) private final int[] callSlot;
    /** Targets of backward jumps: where MERGE_EXPLODE must find the same state on every arrival. */
    @CompilationFinal(dimensions = 1) private final boolean[] loopHeader;
    @Children private final DirectCallNode[] callNodes;
    /** Per call site of map_lookup_elem: the array map it always looked up, or {@link #GENERIC_MAP}. */
    @CompilationFinal(dimensions = 1) private final Object[] lookupMaps;
    private static final Object GENERIC_MAP = new Object();
    @CompilationFinal private Object osrMetadata;
    /** Per load/store site on the context: the one field offset it has accessed, {@link #CTX_UNSEEN} or {@link #CTX_GENERIC}. */
    @CompilationFinal(dimensions = 1) private final int[] ctxOffsets;
    private static final int CTX_UNSEEN = -1, CTX_GENERIC = -2;
    /** Per load/store site on map values: the one map it has accessed, or {@link #GENERIC_MAP}. */
    @CompilationFinal(dimensions = 1) private final Object[] siteMaps;
    /** Bytes at the top of this function's frame it can touch; cleared on entry (see {@link StackUse}). */
    private final int frameBytes;

    EbpfFunctionNode(EbpfLanguage language, long[] insns, int start, int end, String name) {
        super(language, frameDescriptor());
        this.insns = insns;
        this.start = start;
        this.end = end;
        this.name = name;
        int n = end - start;
        this.siteKinds = new byte[n];
        this.seenTaken = new boolean[n];
        this.seenNotTaken = new boolean[n];
        this.callSlot = new int[n];
        int calls = 0;
        for (int pc = start; pc < end; pc++) {
            callSlot[pc - start] = isLocalCall(insns[pc]) ? calls++ : -1;
        }
        this.callNodes = new DirectCallNode[calls];
        this.lookupMaps = new Object[n];
        this.ctxOffsets = new int[n];
        java.util.Arrays.fill(ctxOffsets, CTX_UNSEEN);
        this.siteMaps = new Object[n];
        this.frameBytes = StackUse.frameBytes(insns, start, end);
        this.loopHeader = new boolean[n];
        for (int pc = start; pc < end; pc++) {
            long insn = insns[pc];
            int cls = Op.cls(insn);
            int op = Op.opcode(insn) & 0xf0;
            if ((cls == Op.JMP || cls == Op.JMP32) && op != Op.CALL && op != Op.EXIT && Op.opcode(insn) != Op.LD_IMM64) {
                int t = pc + 1 + (Op.opcode(insn) == (Op.JMP32 | Op.JA) ? Op.imm(insn) : Op.off(insn));
                if (t <= pc && t >= start) {
                    loopHeader[t - start] = true;
                }
            }
        }
    }

    private static FrameDescriptor frameDescriptor() {
        FrameDescriptor.Builder b = FrameDescriptor.newBuilder();
        b.addSlots(11, FrameSlotKind.Long); // r0 .. r10
        b.addSlot(FrameSlotKind.Object, "state", null);
        b.addSlot(FrameSlotKind.Long, "depth", null);
        b.addSlot(FrameSlotKind.Long, "insns", null);
        return b.build();
    }

    private static boolean isLocalCall(long insn) {
        return Op.opcode(insn) == (Op.JMP | Op.CALL) && Op.src(insn) == Op.PSEUDO_CALL;
    }

    /** Creates the call nodes once every function's call target exists; {@code targetAt} maps a function start to it. */
    void link(IntFunction<CallTarget> targetAt) {
        for (int pc = start; pc < end; pc++) {
            int slot = callSlot[pc - start];
            if (slot >= 0) {
                callNodes[slot] = insert(DirectCallNode.create(targetAt.apply(pc + 1 + Op.imm(insns[pc]))));
            }
        }
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String toString() {
        return "ebpf:" + name;
    }

    /** Arguments: RunState, r1..r5 (Long), call depth (Integer). Returns r0 (Long). */
    @Override
    public Object execute(VirtualFrame frame) {
        Object[] args = frame.getArguments();
        int depth = (Integer) args[6];
        frame.setObject(STATE_SLOT, args[0]);
        frame.setLong(DEPTH_SLOT, depth);
        frame.setLong(0, 0);
        frame.setLong(1, (Long) args[1]);
        frame.setLong(2, (Long) args[2]);
        frame.setLong(3, (Long) args[3]);
        frame.setLong(4, (Long) args[4]);
        frame.setLong(5, (Long) args[5]);
        frame.setLong(6, 0);
        frame.setLong(7, 0);
        frame.setLong(8, 0);
        frame.setLong(9, 0);
        frame.setLong(10, RunState.framePointer(depth));
        ((RunState) args[0]).clearFrame(depth, frameBytes);
        return executeFrom(frame, start);
    }

    @Override
    public Object executeOSR(VirtualFrame osrFrame, int target, Object interpreterState) {
        return executeFrom(osrFrame, target);
    }

    @Override
    public Object getOSRMetadata() {
        return osrMetadata;
    }

    @Override
    public void setOSRMetadata(Object osrMetadata) {
        this.osrMetadata = osrMetadata;
    }

    @ExplodeLoop(kind = LoopExplosionKind.MERGE_EXPLODE)
    private Object executeFrom(VirtualFrame frame, int startPc) {
        RunState st = (RunState) frame.getObject(STATE_SLOT);
        long budget = st.budget;
        frame.setLong(COUNT_SLOT, st.insns);
        int pc = startPc;
        while (true) {
            CompilerAsserts.partialEvaluationConstant(pc);
            long count = frame.getLong(COUNT_SLOT) + 1;
            frame.setLong(COUNT_SLOT, count);
            if (count > budget) {
                st.insns = budget;
                throw budgetExceeded(st, pc);
            }
            long insn = insns[pc];
            int opcode = (int) insn & 0xff;
            int dst = (int) (insn >>> 8) & 0xf;
            int src = (int) (insn >>> 12) & 0xf;
            int off = (short) (insn >>> 16);
            int imm = (int) (insn >>> 32);
            switch (opcode & 7) {
                case Op.ALU64 -> {
                    long v;
                    if ((opcode & 0xf0) == Op.END) {
                        v = Alu.end(opcode, imm, frame.getLong(dst));
                    } else {
                        long s = (opcode & Op.X) != 0 ? frame.getLong(src) : imm;
                        v = Alu.alu64(opcode & 0xf0, frame.getLong(dst), s, off);
                    }
                    frame.setLong(dst, v);
                    pc++;
                }
                case Op.ALU -> {
                    long v;
                    if ((opcode & 0xf0) == Op.END) {
                        v = Alu.end(opcode, imm, frame.getLong(dst));
                    } else {
                        long s = (opcode & Op.X) != 0 ? frame.getLong(src) : imm;
                        v = Alu.alu32(opcode & 0xf0, frame.getLong(dst), s, off);
                    }
                    frame.setLong(dst, v);
                    pc++;
                }
                case Op.JMP, Op.JMP32 -> {
                    boolean jmp32 = (opcode & 7) == Op.JMP32;
                    int op = opcode & 0xf0;
                    if (op == Op.EXIT) {
                        st.insns = frame.getLong(COUNT_SLOT);
                        st.exitedCompiled = CompilerDirectives.inCompiledCode();
                        return frame.getLong(0);
                    } else if (op == Op.CALL) {
                        if (src == Op.PSEUDO_CALL) {
                            st.insns = frame.getLong(COUNT_SLOT);
                            frame.setLong(0, callLocal(frame, st, pc));
                            frame.setLong(COUNT_SLOT, st.insns);
                        } else if (imm == Helpers.TAIL_CALL) {
                            LoadedProgram target = Helpers.tailCallTarget(st, frame.getLong(2), frame.getLong(3), pc);
                            if (target != null) {
                                st.insns = frame.getLong(COUNT_SLOT);
                                return tailCall(target, st, frame.getLong(1), (int) frame.getLong(DEPTH_SLOT));
                            }
                        } else if (imm == Helpers.MAP_LOOKUP_ELEM) {
                            frame.setLong(0, mapLookup(st, frame.getLong(1), frame.getLong(2), frame.getLong(3),
                                    frame.getLong(4), frame.getLong(5), pc));
                        } else if (imm == Helpers.LOOP || imm == Helpers.FOR_EACH_MAP_ELEM) {
                            // callbacks run BPF code on the run's budget: hand over the count and take it back
                            st.insns = frame.getLong(COUNT_SLOT);
                            frame.setLong(0, Helpers.call(st, imm, frame.getLong(1), frame.getLong(2),
                                    frame.getLong(3), frame.getLong(4), frame.getLong(5), pc));
                            frame.setLong(COUNT_SLOT, st.insns);
                        } else {
                            frame.setLong(0, Helpers.call(st, imm, frame.getLong(1), frame.getLong(2),
                                    frame.getLong(3), frame.getLong(4), frame.getLong(5), pc));
                        }
                        pc++;
                    } else {
                        // Each direction of a branch continues to the loop head on its own path
                        // with a constant pc: a merge of the two directions before the loop head
                        // would turn pc into a phi, which MERGE_EXPLODE cannot dispatch on.
                        boolean taken = op == Op.JA || profile(pc, (opcode & Op.X) != 0
                                ? (jmp32 ? Alu.cond32(op, frame.getLong(dst), frame.getLong(src))
                                        : Alu.cond64(op, frame.getLong(dst), frame.getLong(src)))
                                : (jmp32 ? Alu.cond32(op, frame.getLong(dst), imm) : Alu.cond64(op, frame.getLong(dst), imm)));
                        if (taken) {
                            int target = pc + 1 + (op == Op.JA && jmp32 ? imm : off);
                            if (target <= pc && CompilerDirectives.inInterpreter() && BytecodeOSRNode.pollOSRBackEdge(this)) {
                                st.insns = frame.getLong(COUNT_SLOT);
                                Object result = BytecodeOSRNode.tryOSR(this, target, null, null, frame);
                                if (result != null) {
                                    return result;
                                }
                            }
                            if (loopHeader[target - start]) {
                                hideConstants(frame, st);
                            }
                            pc = target;
                            continue;
                        }
                        pc++;
                    }
                }
                case Op.LDX -> {
                    int size = Op.sizeBytes(opcode);
                    long v = load(st, frame.getLong(src) + off, size, pc);
                    if ((opcode & 0xe0) == Op.MEMSX) {
                        v = size == 1 ? (byte) v : size == 2 ? (short) v : (int) v;
                    }
                    frame.setLong(dst, v);
                    pc++;
                }
                case Op.ST -> {
                    store(st, frame.getLong(dst) + off, Op.sizeBytes(opcode), imm, pc);
                    pc++;
                }
                case Op.STX -> {
                    int size = Op.sizeBytes(opcode);
                    if ((opcode & 0xe0) == Op.MEM) {
                        store(st, frame.getLong(dst) + off, size, frame.getLong(src), pc);
                    } else if (imm == Op.LOAD_ACQ) {
                        frame.setLong(dst, load(st, frame.getLong(src) + off, size, pc));
                    } else if (imm == Op.STORE_REL) {
                        store(st, frame.getLong(dst) + off, size, frame.getLong(src), pc);
                    } else {
                        long old = atomic(st, frame.getLong(dst) + off, size, imm, frame.getLong(src),
                                frame.getLong(0), pc);
                        if (imm == Op.CMPXCHG) {
                            frame.setLong(0, old);
                        } else if ((imm & Op.FETCH) != 0) {
                            frame.setLong(src, old);
                        }
                    }
                    pc++;
                }
                case Op.LD -> {
                    if (opcode == Op.LD_IMM64) {
                        frame.setLong(dst, (imm & 0xffffffffL) | ((long) (int) (insns[pc + 1] >>> 32) << 32));
                        pc += 2;
                    } else {
                        long offset = (long) imm + ((opcode & 0xe0) == Op.IND ? (int) frame.getLong(src) : 0);
                        long v = LegacyLoad.load(st.skb, offset, Op.sizeBytes(opcode));
                        if (v < 0) {
                            st.insns = frame.getLong(COUNT_SLOT);
                            return 0L; // out of bounds ends the program with r0 = 0, like the kernel
                        }
                        frame.setLong(0, v);
                        pc++;
                    }
                }
                default -> {
                    CompilerDirectives.transferToInterpreterAndInvalidate();
                    throw new IllegalStateException("opcode 0x" + Integer.toHexString(opcode) + " passed the verifier");
                }
            }
            if (pc < end && loopHeader[pc - start]) {
                hideConstants(frame, st); // straight-line code that runs into a loop head
            }
        }
    }

    /**
     * On the way into a loop header, turns registers that partial evaluation knows as constants
     * into values it cannot fold. MERGE_EXPLODE merges two arrivals at the same pc only when their
     * constant state is equal; a register that is a different constant on every iteration (a loop
     * counter started with {@code r1 = 200000}) would otherwise make it unroll the loop until it
     * gives up. Adding a field that is always 0 costs one load and add per constant register, once,
     * before the loop; values that are already unknown are left alone.
     */
    @ExplodeLoop
    private static void hideConstants(VirtualFrame frame, RunState st) {
        for (int r = 0; r < 10; r++) {
            long v = frame.getLong(r);
            if (CompilerDirectives.isPartialEvaluationConstant(v)) {
                frame.setLong(r, v + st.zero);
            }
        }
    }

    private long callLocal(VirtualFrame frame, RunState st, int pc) {
        int depth = (int) frame.getLong(DEPTH_SLOT);
        if (depth + 1 >= RunState.MAX_FRAMES) {
            throw tooDeep(pc);
        }
        Object r0 = callNodes[callSlot[pc - start]].call(st, frame.getLong(1), frame.getLong(2), frame.getLong(3),
                frame.getLong(4), frame.getLong(5), depth + 1);
        return (Long) r0;
    }

    /**
     * map_lookup_elem with a fast path for the most common case, a plain array map with the key on
     * the stack: the map is cached per call site as a compilation constant, so the compiled code is
     * a handle compare, a stack read, a bounds check and pointer arithmetic, with no boundary call.
     * Anything else (another map, another key region, a bad key pointer) takes the helper, so
     * results and faults are the same as in the reference interpreter.
     */
    private long mapLookup(RunState st, long r1, long r2, long r3, long r4, long r5, int pc) {
        int i = pc - start;
        Object cached = lookupMaps[i];
        if (cached == null) {
            CompilerDirectives.transferToInterpreterAndInvalidate();
            BpfMap m = Ptr.isMapHandle(Ptr.tag(r1)) ? BpfMap.byId(Ptr.tag(r1) - Ptr.MAP_HANDLE) : null;
            cached = m != null ? m : GENERIC_MAP;
            lookupMaps[i] = cached;
        }
        if (cached instanceof ArrayMap a && !a.percpu() && r1 == a.handle() && Ptr.tag(r2) == Ptr.STACK) {
            int off = Ptr.offset(r2);
            if (off >= 0 && off <= st.stack.length - 4) {
                long key = Memory.read(st.stack, off, 4);
                return key < a.maxEntries() ? a.slotPointer((int) key) : 0;
            }
        }
        if (cached instanceof BpfMap m && r1 == m.handle()) {
            return lookupIn(m, st, r2, pc); // another map type, still one map per site: no registry lookup
        }
        return Helpers.call(st, Helpers.MAP_LOOKUP_ELEM, r1, r2, r3, r4, r5, pc);
    }

    @TruffleBoundary
    private static long lookupIn(BpfMap m, RunState st, long key, int pc) {
        if (m instanceof dev.tcxsim.vm.maps.HashMapBpf h && Ptr.tag(key) == Ptr.STACK) {
            int off = Ptr.offset(key);
            if (off >= 0 && off <= st.stack.length - h.keySize()) {
                return h.programLookupAt(st.stack, off, st.cpu); // the key stays where it is
            }
        }
        return m.programLookup(Memory.readBytes(st, key, m.keySize(), pc,
                Helpers.describe(Helpers.MAP_LOOKUP_ELEM), "key"), st.cpu);
    }

    private boolean profile(int pc, boolean taken) {
        int i = pc - start;
        if (taken) {
            if (!seenTaken[i]) {
                CompilerDirectives.transferToInterpreterAndInvalidate();
                seenTaken[i] = true;
            }
        } else if (!seenNotTaken[i]) {
            CompilerDirectives.transferToInterpreterAndInvalidate();
            seenNotTaken[i] = true;
        }
        return taken;
    }

    /** The region this site has seen so far; a new region makes the site generic. */
    private byte siteKind(int pc, long addr) {
        int i = pc - start;
        byte kind = siteKinds[i];
        if (kind == Memory.KIND_GENERIC) {
            return kind;
        }
        byte actual = Memory.kindOf(addr);
        if (kind != actual) {
            CompilerDirectives.transferToInterpreterAndInvalidate();
            kind = kind == Memory.KIND_NONE && actual != Memory.KIND_INVALID ? actual : Memory.KIND_GENERIC;
            siteKinds[i] = kind;
        }
        return kind;
    }

    private long load(RunState st, long addr, int size, int pc) {
        return switch (siteKind(pc, addr)) {
            case Memory.KIND_STACK -> Memory.loadStack(st, addr, size, pc);
            case Memory.KIND_PACKET -> Memory.loadPacket(st, addr, size, pc);
            case Memory.KIND_MAP -> {
                BpfMap map = siteMap(pc, addr);
                yield map != null ? Memory.loadMap(map, addr, size, pc) : Memory.loadMap(addr, size, pc);
            }
            case Memory.KIND_CTX -> {
                int field = ctxField(st, pc, addr, size, false);
                yield field >= 0 ? SkBuffLayout.load(st.skb, field, size) : Memory.loadCtx(st, addr, size, pc);
            }
            default -> Memory.load(st, addr, size, pc);
        };
    }

    private void store(RunState st, long addr, int size, long value, int pc) {
        switch (siteKind(pc, addr)) {
            case Memory.KIND_STACK -> Memory.storeStack(st, addr, size, value, pc);
            case Memory.KIND_PACKET -> Memory.storePacket(st, addr, size, value, pc);
            case Memory.KIND_MAP -> {
                BpfMap map = siteMap(pc, addr);
                if (map != null) {
                    Memory.storeMap(map, addr, size, value, pc);
                } else {
                    Memory.storeMap(addr, size, value, pc);
                }
            }
            case Memory.KIND_CTX -> {
                int field = ctxField(st, pc, addr, size, true);
                if (field >= 0) {
                    SkBuffLayout.store(st.skb, field, size, value);
                } else {
                    Memory.storeCtx(st, addr, size, value, pc);
                }
            }
            default -> Memory.store(st, addr, size, value, pc);
        }
    }

    /**
     * An atomic instruction. On a site that always hits one map the read-modify-write runs inline
     * under the memory's lock (counters in maps are the common case); anything else, and every
     * access that would fault, takes {@link Memory#atomic}, which names the fault.
     */
    private long atomic(RunState st, long addr, int size, int op, long operand, long expected, int pc) {
        if (siteKind(pc, addr) == Memory.KIND_MAP && Memory.isAtomicOp(op)) {
            BpfMap map = siteMap(pc, addr);
            if (map != null && !map.programReadOnly()) {
                int index = Memory.mapIndexOrMinus1(map, addr, size);
                if (index >= 0 && (index & (size - 1)) == 0) {
                    return Memory.atomicAt(map.memory(), index, size, op, operand, expected);
                }
            }
        }
        return Memory.atomic(st, addr, size, op, operand, expected, pc);
    }

    /**
     * The context offset this site always accesses, as a compilation constant, or -1 when the site
     * has seen several (then the caller takes the checked generic path). Context accesses are almost
     * always {@code skb->field} with a constant offset, so the compiled code is one compare of the
     * address and then the field read itself: the permission check ran once, in the interpreter,
     * the first time the site saw this offset, and its answer does not change (it depends only on
     * offset, size and direction, all fixed for the site).
     */
    private int ctxField(RunState st, int pc, long addr, int size, boolean write) {
        int i = pc - start;
        int cached = ctxOffsets[i];
        if (cached >= 0) {
            if (addr == Ptr.make(Ptr.CTX, cached)) {
                return cached;
            }
            CompilerDirectives.transferToInterpreterAndInvalidate();
            ctxOffsets[i] = CTX_GENERIC;
            return -1;
        }
        if (cached == CTX_UNSEEN) {
            CompilerDirectives.transferToInterpreterAndInvalidate();
            int off = Ptr.offset(addr);
            Memory.checkCtx(addr, off, size, write, pc); // throws for a field this access may not touch
            ctxOffsets[i] = off;
            return off;
        }
        return -1;
    }

    /**
     * The map this map-value site always accesses, as a compilation constant, or null for a site
     * that has seen several maps. The map objects outlive the program (it holds them), so the
     * constant never dangles; the compiled access is a tag compare, a bounds check and the array access.
     */
    private BpfMap siteMap(int pc, long addr) {
        int i = pc - start;
        Object cached = siteMaps[i];
        if (cached instanceof BpfMap m) {
            if (Ptr.tag(addr) == Ptr.MAP_VALUE + m.id()) {
                return m;
            }
            CompilerDirectives.transferToInterpreterAndInvalidate();
            siteMaps[i] = GENERIC_MAP;
            return null;
        }
        if (cached == null) {
            CompilerDirectives.transferToInterpreterAndInvalidate();
            BpfMap m = BpfMap.byId(Ptr.tag(addr) - Ptr.MAP_VALUE);
            if (m != null) { // a map that is gone: the generic path names the fault
                siteMaps[i] = m;
            }
            return m;
        }
        return null;
    }

    @TruffleBoundary
    private static long tailCall(LoadedProgram target, RunState st, long r1, int depth) {
        return target.executor().execute(st, r1, depth);
    }

    @TruffleBoundary
    private static BpfFault budgetExceeded(RunState st, int pc) {
        return st.budgetExceeded(pc);
    }

    @TruffleBoundary
    private static BpfFault tooDeep(int pc) {
        return new BpfFault(pc, "call nesting deeper than " + RunState.MAX_FRAMES + " frames");
    }
}
