package dev.tcxsim.vm.truffle;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.RootCallTarget;
import com.oracle.truffle.api.Truffle;
import com.oracle.truffle.api.TruffleContext;
import com.oracle.truffle.api.frame.Frame;
import com.oracle.truffle.api.frame.FrameInstance;
import dev.tcxsim.vm.Executor;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.RunState;

import java.util.Arrays;

/** A program's functions as Truffle root nodes, linked by direct calls; runs from the entry function. */
public final class TruffleProgram implements Executor {
    private final CallTarget entry;
    private final int[] functionStarts;
    private final CallTarget[] targets;
    /** The context the call targets belong to (they are built inside it), for calls from outside a run. */
    private final TruffleContext context;

    public TruffleProgram(EbpfLanguage language, LoadedProgram program, long[] insns, int[] functionStarts) {
        int n = functionStarts.length;
        EbpfFunctionNode[] roots = new EbpfFunctionNode[n];
        CallTarget[] targets = new CallTarget[n];
        for (int f = 0; f < n; f++) {
            int end = f + 1 < n ? functionStarts[f + 1] : insns.length;
            String name = f == 0 ? program.name() : program.name() + "+" + functionStarts[f];
            roots[f] = new EbpfFunctionNode(language, insns, functionStarts[f], end, name);
            targets[f] = roots[f].getCallTarget();
        }
        for (EbpfFunctionNode root : roots) {
            root.link(pc -> targets[Arrays.binarySearch(functionStarts, pc)]);
        }
        this.entry = targets[0];
        this.functionStarts = functionStarts.clone();
        this.targets = targets;
        this.context = EbpfLanguage.currentContext();
    }

    /** The entry function's call target, for roots that call whole programs (a {@link ChainRootNode}). */
    public CallTarget entryTarget() {
        return entry;
    }

    @Override
    public long execute(RunState state, long r1, int depth) {
        return (Long) entry.call(state, r1, 0L, 0L, 0L, 0L, depth);
    }

    /** Called from helpers, which are behind a boundary: the callback is an ordinary call of its call target. */
    @Override
    public long callFunction(RunState state, int insn, long r1, long r2, long r3, long r4, long r5, int depth) {
        int f = Arrays.binarySearch(functionStarts, insn);
        if (f < 0) {
            throw new IllegalArgumentException("insn " + insn + " is not the start of a BPF function of this program");
        }
        return (Long) targets[f].call(state, r1, r2, r3, r4, r5, depth);
    }

    /** Enters the program's context around the call: the caller is Java code outside any run. */
    @Override
    public long callFromHost(RunState state, int insn, long r1, long r2, long r3) {
        Object previous = context.enter(null);
        try {
            return callFunction(state, insn, r1, r2, r3, 0, 0, 0);
        } finally {
            context.leave(null, previous);
        }
    }

    /**
     * Reads the depth and the instruction count from the frame of the innermost BPF function on
     * the Truffle stack, the one whose helper call is running. Reading a frame of compiled code
     * read-only does not deoptimize it. The function keeps counting in its own frame slot after
     * the helper returns, so instructions of callbacks are not added to the count it later
     * publishes: the budget holds across the callbacks of one helper call, not beyond it.
     */
    @Override
    @TruffleBoundary
    public int helperCallerDepth(RunState state) {
        long[] found = Truffle.getRuntime().iterateFrames(fi -> {
            if (fi.getCallTarget() instanceof RootCallTarget t && t.getRootNode() instanceof EbpfFunctionNode) {
                Frame frame = fi.getFrame(FrameInstance.FrameAccess.READ_ONLY);
                return new long[] {frame.getLong(EbpfFunctionNode.DEPTH_SLOT), frame.getLong(EbpfFunctionNode.COUNT_SLOT)};
            }
            return null;
        });
        if (found == null) {
            throw new BpfFault(0, "a helper asked for its caller's frame, but no BPF function is running on this thread");
        }
        state.insns = Math.max(state.insns, found[1]);
        return (int) found[0];
    }
}
