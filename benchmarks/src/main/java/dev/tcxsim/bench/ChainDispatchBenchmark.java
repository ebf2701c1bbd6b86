package dev.tcxsim.bench;

import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.sim.SimKernel;
import dev.tcxsim.vm.elf.ProgramSpec;
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
 * A packet through a veth pair whose receiving side has a tcx ingress chain of {@code programs}
 * programs: all but the last say TCX_NEXT, the last says TCX_PASS. The slope between chain
 * lengths is the cost of one more program in the chain (its run plus the dispatch around it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChainDispatchBenchmark {
    @Param({"1", "8", "32", "63"})
    public int programs;

    private SimKernel kernel;
    private byte[] frame;

    /** "r0 = rc; exit" */
    static ProgramSpec returning(String name, int rc) {
        return ProgramSpec.raw(name, Uapi.BPF_PROG_TYPE_SCHED_CLS, 0xb7L | ((long) rc << 32), 0x95L);
    }

    @Setup
    public void setUp() throws Exception {
        TestPrograms.requireCompiler();
        kernel = new SimKernel();
        kernel.addVeth("veth0", "veth1");
        int ifindex = kernel.ifindex("veth1");
        BpfProcess proc = kernel.process("bench");
        for (int i = 0; i < programs; i++) {
            boolean last = i == programs - 1;
            int fd = proc.progLoad(returning(last ? "pass" : "next" + i, last ? 0 : -1), new int[0]);
            proc.progAttach(ifindex, Uapi.BPF_TCX_INGRESS, fd, 0, 0, 0, 0);
        }
        frame = Frames.udp();
    }

    @Benchmark
    public Object transmit() throws Exception {
        kernel.transmit("veth0", frame);
        return kernel.lastTrace();
    }

    @TearDown
    public void tearDown() {
        kernel.close();
    }
}
