package dev.tcxsim.vm.truffle;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.CompilerDirectives.CompilationFinal;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.DirectCallNode;
import com.oracle.truffle.api.nodes.ExplodeLoop;
import com.oracle.truffle.api.nodes.RootNode;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.mem.RunState;

/**
 * A whole chain of programs as one Truffle root: program after program until one returns something
 * other than the "continue" code (TCX_NEXT for a tcx chain).
 *
 * <p>The programs are called through one {@link DirectCallNode} each, from a loop that partial
 * evaluation unrolls ({@code @ExplodeLoop}: the chain's length is a constant of this root). Small
 * programs are inlined, so the compiled chain is the programs' code one after another with a
 * compare between them: the dispatch from one program to the next costs what the kernel's own loop
 * over its bpf_mprog array costs, instead of a call from Java into Truffle per program. A chain
 * whose programs change gets a new root (the caller caches one per program list).
 *
 * <p>Arguments: RunState, r1 (Long), continue code (Integer), r0 per program (long[], filled up to
 * the program that decided). Returns the index of the deciding program, or the length when every
 * program said "continue".
 */
final class ChainRootNode extends RootNode {
    @Children private final DirectCallNode[] calls;
    @CompilationFinal(dimensions = 1) private final LoadedProgram[] programs;

    ChainRootNode(EbpfLanguage language, LoadedProgram[] programs, CallTarget[] entries) {
        super(language);
        this.programs = programs;
        this.calls = new DirectCallNode[entries.length];
        for (int i = 0; i < entries.length; i++) {
            calls[i] = DirectCallNode.create(entries[i]);
        }
    }

    @Override
    @ExplodeLoop
    public Object execute(VirtualFrame frame) {
        Object[] args = frame.getArguments();
        RunState st = (RunState) args[0];
        Long r1 = (Long) args[1];
        int continueCode = (Integer) args[2];
        long[] r0s = (long[]) args[3];
        for (int i = 0; i < calls.length; i++) {
            st.startChainProgram(programs[i], i);
            long r0 = (Long) calls[i].call(st, r1, 0L, 0L, 0L, 0L, 0);
            r0s[i] = r0;
            if ((int) r0 != continueCode) {
                return i;
            }
        }
        return calls.length;
    }

    @Override
    public String getName() {
        return "chain of " + calls.length;
    }

    @Override
    public String toString() {
        return "ebpf:" + getName();
    }
}
