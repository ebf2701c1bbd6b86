package dev.tcxsim.bench;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.truffle.EbpfEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One run of a committed tc program on one frame in the Truffle VM: compiled (the product) and
 * interpreted-only (the baseline the 20x target divides by). Compare with {@link KernelJitRunBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TruffleRunBenchmark {
    @Param({"parser.o:parse_flow", "nat.o:dnat", "calls.o:sum_calls", "real/test_pkt_access.o:test_pkt_access",
        "real/test_l4lb.o:balancer_ingress", "real/test_tc_neigh.o:tc_chk", "real/test_cls_redirect.o:cls_redirect",
        "real/skb_pkt_end.o:main_prog"})
    public String program;

    @Param({"compiled", "interpreted"})
    public String engine;

    private EbpfVm vm;
    private LoadedProgram prog;
    private SkBuff skb;
    private final RunEnv env = new RunEnv() {
    };

    @Setup
    public void setUp() throws Exception {
        EbpfEngine.Mode mode = engine.equals("compiled") ? EbpfEngine.Mode.DEFAULT : EbpfEngine.Mode.INTERPRETED;
        if (mode == EbpfEngine.Mode.DEFAULT) {
            TestPrograms.requireCompiler();
        }
        vm = new EbpfVm(mode);
        prog = vm.load(TestPrograms.object(program)).program(TestPrograms.programName(program));
        skb = new SkBuff(TestPrograms.frame(program));
        RunResult first = prog.run(skb, env);
        if (first.fault() != null) {
            throw new IllegalStateException(program + " faults: " + first.fault());
        }
    }

    @Benchmark
    public long run() {
        return prog.run(skb, env).r0();
    }

    @TearDown
    public void tearDown() {
        vm.close();
    }
}
