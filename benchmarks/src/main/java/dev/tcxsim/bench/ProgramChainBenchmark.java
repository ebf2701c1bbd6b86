package dev.tcxsim.bench;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.ProgramChain;
import dev.tcxsim.vm.RunEnv;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The dispatch part of a tcx chain on its own: {@code programs} programs, all but the last saying
 * TCX_NEXT, run as one {@link ProgramChain} (what the simulator's datapath runs per hook), without
 * the datapath's trace. The slope between chain lengths is the cost of one more program: its run
 * plus the dispatch around it ({@code single} is one such program run alone, for comparison).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProgramChainBenchmark {
    @Param({"1", "8", "32", "63"})
    public int programs;

    private EbpfVm vm;
    private ProgramChain chain;
    private LoadedProgram single;
    private SkBuff skb;
    private final RunEnv env = new RunEnv() {
    };

    @Setup
    public void setUp() throws Exception {
        TestPrograms.requireCompiler();
        vm = new EbpfVm(EbpfEngine.Mode.DEFAULT);
        List<LoadedProgram> list = new ArrayList<>();
        for (int i = 0; i < programs; i++) {
            boolean last = i == programs - 1;
            list.add(vm.loadProgram(ChainDispatchBenchmark.returning(last ? "pass" : "next" + i, last ? 0 : -1),
                    List.of()));
        }
        chain = ProgramChain.of(list);
        if (!chain.fused()) {
            throw new IllegalStateException("the chain did not fuse into one Truffle root");
        }
        single = list.getLast();
        skb = new SkBuff(Frames.udp());
    }

    @Benchmark
    public int chain() {
        return chain.run(skb, env, -1).decidedBy();
    }

    @Benchmark
    public long single() {
        return single.run(skb, env).r0();
    }

    @TearDown
    public void tearDown() {
        vm.close();
    }
}
