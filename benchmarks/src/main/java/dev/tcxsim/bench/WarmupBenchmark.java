package dev.tcxsim.bench;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.truffle.EbpfEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Warm-up: how many frames a freshly loaded program needs before it runs near its peak speed.
 * No warm-up iterations; each measured iteration times one batch of {@link #BATCH} runs of the
 * same program, so the iterations, in order, are the program's speed as the frames go by (the
 * interpreter, then tier-1 and tier-2 code; 2M runs in all, several seconds, as Graal compiles in
 * the background). The score of an iteration is the time of its whole batch. The first iteration
 * whose time per run is within 2x of the program's steady state ({@link TruffleRunBenchmark}),
 * times the batch, is the number of frames to near-peak speed. Every fork loads the program anew.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 200, batchSize = WarmupBenchmark.BATCH)
@Fork(1)
public class WarmupBenchmark {
    static final int BATCH = 10_000;

    @Param({"parser.o:parse_flow", "calls.o:sum_calls", "real/test_l4lb.o:balancer_ingress"})
    public String program;

    private EbpfVm vm;
    private LoadedProgram prog;
    private SkBuff skb;
    private final RunEnv env = new RunEnv() {
    };

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        TestPrograms.requireCompiler();
        vm = new EbpfVm(EbpfEngine.Mode.DEFAULT);
        prog = vm.load(TestPrograms.object(program)).program(TestPrograms.programName(program));
        skb = new SkBuff(TestPrograms.frame(program));
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
