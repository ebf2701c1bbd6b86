package dev.tcxsim.linux.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The first real use of bpf(2): load "r0 = K; exit" as a SCHED_CLS program and run it once with
 * BPF_PROG_TEST_RUN on a frame. Used by the kernel smoke test and by {@code tcxsim doctor}.
 * Attr offsets are the uapi {@code union bpf_attr} layouts (tcx-semantics.md 2.1 and bpf.h).
 */
public final class BpfSmoke {
    public static final int BPF_PROG_LOAD = 5;
    public static final int BPF_PROG_TEST_RUN = 10;
    public static final int BPF_PROG_TYPE_SCHED_CLS = 3;
    /** sizeof(union bpf_attr) as of 6.18 is larger; 160 bytes covers every field we set here. */
    private static final int ATTR_SIZE = 160;

    /** The outcome: retval of the run, or the errno and the step that failed. */
    public record Outcome(boolean ok, int retval, int dataSizeOut, String failedStep, int errno) {
        public String describe() {
            return ok ? "retval " + retval : failedStep + " failed with errno " + errno;
        }
    }

    private BpfSmoke() {
    }

    /** Encodes "r0 = imm; exit" (BPF_ALU64|BPF_MOV|BPF_K, then BPF_JMP|BPF_EXIT). */
    static long[] returnImmediate(int imm) {
        long mov = 0xb7L | ((long) imm << 32);
        long exit = 0x95L;
        return new long[] {mov, exit};
    }

    /** Loads and test-runs the program on a zeroed frame of {@code frameLen} bytes; closes its fd. */
    public static Outcome loadAndRun(int imm, int frameLen) {
        try (Arena arena = Arena.ofConfined()) {
            long[] insns = returnImmediate(imm);
            MemorySegment code = arena.allocate(JAVA_LONG, insns.length);
            for (int i = 0; i < insns.length; i++) {
                code.setAtIndex(JAVA_LONG, i, insns[i]);
            }
            MemorySegment license = arena.allocateFrom("GPL", StandardCharsets.US_ASCII);
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, BPF_PROG_TYPE_SCHED_CLS);  // prog_type
            attr.set(JAVA_INT, 4, insns.length);             // insn_cnt
            attr.set(JAVA_LONG, 8, code.address());           // insns
            attr.set(JAVA_LONG, 16, license.address());       // license
            Sys.Result load = Sys.bpf(BPF_PROG_LOAD, attr);
            if (load.failed()) {
                return new Outcome(false, 0, 0, "BPF_PROG_LOAD", load.errno());
            }
            int fd = (int) load.value();
            try {
                MemorySegment in = arena.allocate(frameLen);
                MemorySegment out = arena.allocate(frameLen);
                MemorySegment run = arena.allocate(ATTR_SIZE, 8);
                run.set(JAVA_INT, 0, fd);                    // test.prog_fd
                run.set(JAVA_INT, 8, frameLen);              // test.data_size_in
                run.set(JAVA_INT, 12, frameLen);             // test.data_size_out
                run.set(JAVA_LONG, 16, in.address());         // test.data_in
                run.set(JAVA_LONG, 24, out.address());        // test.data_out
                run.set(JAVA_INT, 32, 1);                    // test.repeat
                Sys.Result r = Sys.bpf(BPF_PROG_TEST_RUN, run);
                if (r.failed()) {
                    return new Outcome(false, 0, 0, "BPF_PROG_TEST_RUN", r.errno());
                }
                return new Outcome(true, run.get(JAVA_INT, 4), run.get(JAVA_INT, 12), null, 0);
            } finally {
                Sys.close(fd);
            }
        }
    }
}
