package dev.tcxsim.bench;

import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.linux.LinuxKernel;
import dev.tcxsim.linux.ffm.Bpf;
import dev.tcxsim.linux.ffm.KernelRequirement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The same programs and frames as {@link TruffleRunBenchmark}, run by the kernel's JIT through
 * BPF_PROG_TEST_RUN with repeat: one invocation is {@value #REPEAT} runs in the kernel, so the
 * syscall's fixed cost is spread over them and the score is ns per run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KernelJitRunBenchmark {
    static final int REPEAT = 1000;

    @Param({"parser.o:parse_flow", "nat.o:dnat", "calls.o:sum_calls", "real/test_pkt_access.o:test_pkt_access",
        "real/test_l4lb.o:balancer_ingress", "real/test_tc_neigh.o:tc_chk", "real/test_cls_redirect.o:cls_redirect",
        "real/skb_pkt_end.o:main_prog"})
    public String program;

    private LinuxKernel kernel;
    private int fd;
    private byte[] frame;

    @Setup
    public void setUp() throws Exception {
        String why = KernelRequirement.whyUnavailable();
        if (why != null) {
            throw new IllegalStateException("kernel benchmarks need the kernel backend: " + why);
        }
        kernel = LinuxKernel.open();
        BpfProcess proc = kernel.process("bench");
        fd = proc.loadObject(TestPrograms.object(program)).prog(TestPrograms.programName(program));
        frame = TestPrograms.frame(program);
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public int run() throws Exception {
        return Bpf.progTestRun(fd, frame, frame.length, null, 0, REPEAT).retval();
    }

    @TearDown
    public void tearDown() {
        kernel.close();
    }
}
