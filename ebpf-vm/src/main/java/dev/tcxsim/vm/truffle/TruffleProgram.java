package dev.tcxsim.vm.truffle;

import com.oracle.truffle.api.CallTarget;
import dev.tcxsim.vm.Executor;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.mem.RunState;

import java.util.Arrays;

/** A program's functions as Truffle root nodes, linked by direct calls; runs from the entry function. */
public final class TruffleProgram implements Executor {
    private final CallTarget entry;

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
    }

    @Override
    public long execute(RunState state, long r1, int depth) {
        return (Long) entry.call(state, r1, 0L, 0L, 0L, 0L, depth);
    }
}
