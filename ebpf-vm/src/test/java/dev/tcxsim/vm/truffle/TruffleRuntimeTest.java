package dev.tcxsim.vm.truffle;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards the build: without the Graal compiler on upgrade-module-path and JVMCI enabled, Truffle
 * silently falls back to its interpreter. These tests fail in that case.
 */
class TruffleRuntimeTest {
    @Test
    void runtimeIsTheOptimizingOne() {
        String name = EbpfEngine.runtimeName();
        assertNotEquals("Interpreted", name,
                "Truffle fell back to the interpreter: the Graal compiler is not on --upgrade-module-path or JVMCI is off");
        assertTrue(EbpfEngine.isOptimizing());
    }

    @Test
    void aSmallLoopCompilesWithoutPartialEvaluationFailure() {
        CompilationProbe.Result result = CompilationProbe.run(1000);
        assertEquals(499_500L, result.sum());
        assertTrue(result.ranCompiled(), "the probe never ran as compiled code");
    }
}
