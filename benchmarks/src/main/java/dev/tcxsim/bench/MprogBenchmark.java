package dev.tcxsim.bench;

import dev.tcxsim.tcx.Mprog;
import dev.tcxsim.tcx.MprogException;
import dev.tcxsim.tcx.ObjectLookup;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Control-plane cost in the model: append one program to a chain of 62 (making it full at 63)
 * and detach it again — a/b copy, publish, grace period and commit, twice.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MprogBenchmark {
    /** A program object of the benchmark: only identity matters to the model. */
    record Prog(int id) {
    }

    private static final ObjectLookup<Prog, Object> LOOKUP = new ObjectLookup<>() {
        @Override
        public Prog progById(int id) throws MprogException {
            throw new MprogException(dev.tcxsim.tcx.Errno.ENOENT, "no relative objects in this benchmark");
        }

        @Override
        public Prog progByFd(int fd) throws MprogException {
            throw new MprogException(dev.tcxsim.tcx.Errno.EBADF, "no relative objects in this benchmark");
        }

        @Override
        public Object linkById(int id) throws MprogException {
            throw new MprogException(dev.tcxsim.tcx.Errno.ENOENT, "no links in this benchmark");
        }

        @Override
        public Object linkByFd(int fd) throws MprogException {
            throw new MprogException(dev.tcxsim.tcx.Errno.EBADF, "no links in this benchmark");
        }

        @Override
        public Prog progOfLink(Object link) {
            return null;
        }

        @Override
        public int progType(Prog prog) {
            return 3;
        }
    };

    private Mprog<Prog, Object> mprog;
    private final Prog extra = new Prog(1000);

    @Setup
    public void setUp() throws MprogException {
        mprog = new Mprog<>();
        for (int i = 0; i < Mprog.MAX_PROGS - 1; i++) {
            mprog.attach(new Prog(i + 1), null, null, 0, 0, 0, LOOKUP);
        }
    }

    @Benchmark
    public long attachDetachOnAFullChain() throws MprogException {
        mprog.attach(extra, null, null, 0, 0, 0, LOOKUP);
        mprog.detach(extra, null, 0, 0, 0, LOOKUP);
        return mprog.revision();
    }
}
