package dev.tcxsim.bench;

import dev.tcxsim.linux.ffm.BpfSmoke;
import dev.tcxsim.linux.ffm.KernelRequirement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The cost of one bpf(2) round trip from Java: load, test-run once and close a 2-instruction
 * program. This is the fixed overhead that kernel-side comparisons subtract.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KernelJitBaselineBenchmark {
    @Setup
    public void requireKernel() {
        String why = KernelRequirement.whyUnavailable();
        if (why != null) {
            throw new IllegalStateException("kernel benchmarks need the kernel backend: " + why);
        }
    }

    @Benchmark
    public int loadRunClose() {
        BpfSmoke.Outcome o = BpfSmoke.loadAndRun(0, 64);
        if (!o.ok()) {
            throw new IllegalStateException(o.describe());
        }
        return o.retval();
    }
}
