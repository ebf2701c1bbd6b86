package dev.tcxsim.vm.truffle;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.CompilerDirectives;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.RootNode;

/**
 * A tiny Truffle function (sum of 0..n-1 in a loop) that is compiled synchronously to prove the
 * Graal compiler works in this JVM: used by {@code tcxsim doctor} and by the build's tests.
 */
public final class CompilationProbe {
    /** What one probe run saw. */
    public record Result(long sum, boolean ranCompiled, String runtimeName) {
    }

    private static final class SumLoopRoot extends RootNode {
        SumLoopRoot(EbpfLanguage language) {
            super(language);
        }

        @Override
        public Object execute(VirtualFrame frame) {
            long n = (Long) frame.getArguments()[0];
            long sum = 0;
            for (long i = 0; i < n; i++) {
                sum += i;
            }
            // Constant-folded to true in compiled code, false in the interpreter.
            boolean compiled = CompilerDirectives.inCompiledCode();
            return new long[] {sum, compiled ? 1 : 0};
        }

        @Override
        public String getName() {
            return "tcxsim-compilation-probe";
        }
    }

    private CompilationProbe() {
    }

    /**
     * Compiles the probe with CompileImmediately and CompilationFailureAction=Throw and calls it
     * until it runs compiled (at most a few calls). A failed partial evaluation throws.
     */
    public static Result run(long n) {
        try (EbpfEngine engine = new EbpfEngine(EbpfEngine.Mode.COMPILE_IMMEDIATELY)) {
            CallTarget target = new SumLoopRoot(engine.language()).getCallTarget();
            long[] out = null;
            for (int i = 0; i < 5; i++) {
                out = (long[]) target.call(n);
                if (out[1] == 1) {
                    break;
                }
            }
            return new Result(out[0], out[1] == 1, EbpfEngine.runtimeName());
        }
    }
}
