package dev.tcxsim.bench;

import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.sim.SimKernel;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Scale: 10,000 dummy devices, each with a full 63-program tcx ingress chain, built in a JVM whose
 * heap is capped at 1 GiB. The run fails with OutOfMemoryError if it does not fit; the heap in
 * use afterwards (after a full GC) is reported as the secondary result "heapMiB".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class ScaleBenchmark {
    static final int DEVICES = 10_000;

    /** Secondary results, reported per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Heap {
        public long heapMiB;
        public long attachments;

        @Setup(Level.Iteration)
        public void clear() {
            heapMiB = 0;
            attachments = 0;
        }
    }

    @Benchmark
    public SimKernel tenThousandFullDevices(Heap heap) throws Exception {
        SimKernel kernel = new SimKernel();
        BpfProcess proc = kernel.process("scale");
        int[] fds = new int[63];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = proc.progLoad(ChainDispatchBenchmark.returning("p" + i, -1), new int[0]);
        }
        for (int d = 0; d < DEVICES; d++) {
            int ifindex = kernel.addDummy("d" + d);
            for (int fd : fds) {
                proc.progAttach(ifindex, Uapi.BPF_TCX_INGRESS, fd, 0, 0, 0, 0);
                heap.attachments++;
            }
        }
        System.gc();
        Runtime rt = Runtime.getRuntime();
        heap.heapMiB = (rt.totalMemory() - rt.freeMemory()) >> 20;
        return kernel;
    }
}
