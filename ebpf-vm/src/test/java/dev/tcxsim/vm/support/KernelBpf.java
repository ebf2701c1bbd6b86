package dev.tcxsim.vm.support;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test-only access to the real kernel's BPF_PROG_LOAD, BPF_MAP_CREATE and BPF_PROG_TEST_RUN, so the
 * golden cases can be run by the kernel's own interpreter/JIT too. Available only as root on
 * Linux 6.6 or newer; every fd it opens is closed before the call returns.
 */
public final class KernelBpf {
    private static final long SYS_BPF = 321;
    private static final int BPF_MAP_CREATE = 0, BPF_MAP_LOOKUP_ELEM = 1, BPF_MAP_UPDATE_ELEM = 2, BPF_PROG_LOAD = 5,
            BPF_PROG_TEST_RUN = 10;
    private static final int SCHED_CLS = 3;

    private static final MethodHandle SYSCALL;
    static final MethodHandle CLOSE;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    /** Why kernel runs are skipped, or null when they are available. */
    public static final String UNAVAILABLE;

    static {
        Linker linker = Linker.nativeLinker();
        SYSCALL = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        CLOSE = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        UNAVAILABLE = probe();
        if (UNAVAILABLE != null) {
            System.out.println("[tcxsim] ebpf-vm's comparisons with the real kernel are skipped: " + UNAVAILABLE);
        }
    }

    private static String probe() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "not Linux";
        }
        try {
            // The effective uid, as the kernel checks it (user.name can be anything).
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String euid = line.substring(4).trim().split("\\s+")[1];
                    if (!euid.equals("0")) {
                        return "not running as root (euid " + euid + ")";
                    }
                }
            }
        } catch (Exception e) {
            return "cannot read the effective uid: " + e;
        }
        try {
            String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
            String[] parts = release.split("[.-]");
            int major = Integer.parseInt(parts[0]);
            int minor = Integer.parseInt(parts[1]);
            if (major < 6 || (major == 6 && minor < 6)) {
                return "kernel " + release + " is older than 6.6";
            }
        } catch (Exception e) {
            return "cannot read the kernel release: " + e;
        }
        return null;
    }

    /**
     * Whether kernel comparisons run. With {@code -Dtcxsim.kernel.required=true} an unavailable kernel
     * fails instead (the default "auto" requires them exactly where they are available: root, >= 6.6).
     */
    public static boolean available() {
        if (UNAVAILABLE != null && "true".equalsIgnoreCase(System.getProperty("tcxsim.kernel.required", "auto").trim())) {
            throw new AssertionError("kernel comparisons are required (tcxsim.kernel.required=true) but cannot run: "
                    + UNAVAILABLE);
        }
        return UNAVAILABLE == null;
    }

    private KernelBpf() {
    }

    /** A failed bpf(2) call. */
    public static final class BpfError extends Exception {
        public final int errno;

        BpfError(String what, int errno, String log) {
            super(what + " failed with errno " + errno + (log == null || log.isBlank() ? "" : ":\n" + log));
            this.errno = errno;
        }
    }

    static long bpf(Arena arena, int cmd, MemorySegment attr) throws Throwable {
        MemorySegment state = arena.allocate(CALL_STATE);
        long rc = (long) SYSCALL.invokeExact(state, SYS_BPF, (long) cmd, attr, attr.byteSize());
        if (rc < 0) {
            return -(int) ERRNO.get(state, 0L);
        }
        return rc;
    }

    /** A map created in the kernel for one test run; {@code initial} (nullable) becomes the value at key 0. */
    public record KernelMap(int type, int keySize, int valueSize, int maxEntries, int flags, byte[] initial) {
        public KernelMap(int type, int keySize, int valueSize, int maxEntries) {
            this(type, keySize, valueSize, maxEntries, 0, null);
        }
    }

    /** What the kernel returned for one test run with a context: r0, the packet and the __sk_buff afterwards. */
    public record SkbOutcome(int retval, byte[] packet, byte[] ctxOut) {
    }

    /** What the kernel returned for one test run. */
    public record Outcome(int retval, byte[] packet, byte[][] mapValuesAtKey0) {
    }

    /**
     * Loads {@code insns} as a SCHED_CLS program (LD_IMM64 with BPF_PSEUDO_MAP_FD/VALUE take their
     * imm as an index into {@code maps}), runs it once on {@code packet} and reads value 0 of each map.
     */
    public static Outcome run(long[] insns, byte[] packet, KernelMap... maps) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            int[] mapFds = new int[maps.length];
            java.util.Arrays.fill(mapFds, -1);
            int progFd = -1;
            try {
                for (int i = 0; i < maps.length; i++) {
                    MemorySegment attr = arena.allocate(72);
                    attr.set(ValueLayout.JAVA_INT, 0, maps[i].type());
                    attr.set(ValueLayout.JAVA_INT, 4, maps[i].keySize());
                    attr.set(ValueLayout.JAVA_INT, 8, maps[i].valueSize());
                    attr.set(ValueLayout.JAVA_INT, 12, maps[i].maxEntries());
                    attr.set(ValueLayout.JAVA_INT, 16, maps[i].flags());
                    long fd = bpf(arena, BPF_MAP_CREATE, attr);
                    if (fd < 0) {
                        throw new BpfError("BPF_MAP_CREATE", (int) -fd, null);
                    }
                    mapFds[i] = (int) fd;
                    if (maps[i].initial() != null && maps[i].initial().length > 0) {
                        MemorySegment key = arena.allocate(Math.max(4, maps[i].keySize()));
                        MemorySegment value = arena.allocate(maps[i].valueSize());
                        value.copyFrom(MemorySegment.ofArray(maps[i].initial()));
                        MemorySegment ua = arena.allocate(32);
                        ua.set(ValueLayout.JAVA_INT, 0, mapFds[i]);
                        ua.set(ValueLayout.JAVA_LONG, 8, key.address());
                        ua.set(ValueLayout.JAVA_LONG, 16, value.address());
                        long rc = bpf(arena, BPF_MAP_UPDATE_ELEM, ua);
                        if (rc < 0) {
                            throw new BpfError("BPF_MAP_UPDATE_ELEM", (int) -rc, null);
                        }
                    }
                }
                progFd = loadSchedCls(arena, insns, mapFds);
                Outcome run = testRun(arena, progFd, packet, null);
                byte[][] values = new byte[maps.length][];
                for (int i = 0; i < maps.length; i++) {
                    MemorySegment key = arena.allocate(Math.max(4, maps[i].keySize()));
                    MemorySegment value = arena.allocate(Math.max(8, maps[i].valueSize()));
                    MemorySegment la = arena.allocate(32);
                    la.set(ValueLayout.JAVA_INT, 0, mapFds[i]);
                    la.set(ValueLayout.JAVA_LONG, 8, key.address());
                    la.set(ValueLayout.JAVA_LONG, 16, value.address());
                    if (bpf(arena, BPF_MAP_LOOKUP_ELEM, la) == 0) {
                        values[i] = value.asSlice(0, maps[i].valueSize()).toArray(ValueLayout.JAVA_BYTE);
                    }
                }
                return new Outcome(run.retval(), run.packet(), values);
            } finally {
                if (progFd >= 0) {
                    int ignored = (int) CLOSE.invokeExact(progFd);
                }
                for (int fd : mapFds) {
                    if (fd >= 0) {
                        int ignored = (int) CLOSE.invokeExact(fd);
                    }
                }
            }
        }
    }

    /**
     * BPF_PROG_LOAD of {@code insns} as a GPL SCHED_CLS program with a verifier log; an LD_IMM64 with
     * BPF_PSEUDO_MAP_FD/VALUE takes its imm as an index into {@code mapFds}. Returns the fd (the
     * caller closes it); throws BpfError with the log on refusal.
     */
    private static int loadSchedCls(Arena arena, long[] insns, int[] mapFds) throws Throwable {
        MemorySegment code = arena.allocate(8L * insns.length, 8);
        for (int i = 0; i < insns.length; i++) {
            long insn = insns[i];
            int src = (int) (insn >>> 12) & 0xf;
            if ((insn & 0xff) == 0x18 && (src == 1 || src == 2)) {
                insn = (insn & 0xffffffffL) | ((long) mapFds[(int) (insn >>> 32)] << 32);
            }
            code.setAtIndex(ValueLayout.JAVA_LONG, i, insn);
            if ((insns[i] & 0xff) == 0x18 && i + 1 < insns.length) {
                i++;
                code.setAtIndex(ValueLayout.JAVA_LONG, i, insns[i]);
            }
        }
        MemorySegment license = arena.allocateFrom("GPL");
        MemorySegment log = arena.allocate(1 << 16);
        MemorySegment attr = arena.allocate(160);
        attr.set(ValueLayout.JAVA_INT, 0, SCHED_CLS);
        attr.set(ValueLayout.JAVA_INT, 4, insns.length);
        attr.set(ValueLayout.JAVA_LONG, 8, code.address());
        attr.set(ValueLayout.JAVA_LONG, 16, license.address());
        attr.set(ValueLayout.JAVA_INT, 24, 1);
        attr.set(ValueLayout.JAVA_INT, 28, (int) log.byteSize());
        attr.set(ValueLayout.JAVA_LONG, 32, log.address());
        long fd = bpf(arena, BPF_PROG_LOAD, attr);
        if (fd < 0) {
            throw new BpfError("BPF_PROG_LOAD", (int) -fd, log.getString(0, StandardCharsets.UTF_8));
        }
        return (int) fd;
    }

    /** A BPF_PROG_TEST_RUN attr for one run of {@code progFd} on a copy of {@code packet}, output into {@code out}. */
    private static MemorySegment testRunAttr(Arena arena, int progFd, byte[] packet, MemorySegment out) {
        MemorySegment in = arena.allocate(Math.max(1, packet.length), 8);
        in.copyFrom(MemorySegment.ofArray(packet));
        MemorySegment run = arena.allocate(80);
        run.set(ValueLayout.JAVA_INT, 0, progFd);
        run.set(ValueLayout.JAVA_INT, 8, packet.length);
        run.set(ValueLayout.JAVA_INT, 12, (int) out.byteSize());
        run.set(ValueLayout.JAVA_LONG, 16, in.address());
        run.set(ValueLayout.JAVA_LONG, 24, out.address());
        run.set(ValueLayout.JAVA_INT, 32, 1);
        return run;
    }

    private static void testRunCall(Arena arena, MemorySegment run) throws Throwable {
        long rc = bpf(arena, BPF_PROG_TEST_RUN, run);
        if (rc < 0) {
            throw new BpfError("BPF_PROG_TEST_RUN", (int) -rc, null);
        }
    }

    /**
     * BPF_PROG_TEST_RUN once of {@code progFd} on {@code packet}, with {@code ctxIn} (nullable, say a
     * struct __sk_buff with cb[] set) as ctx_in: r0 and the packet afterwards (no map values).
     * Everything is allocated in {@code arena}; KernelObject shares this with {@link Session}.
     */
    static Outcome testRun(Arena arena, int progFd, byte[] packet, byte[] ctxIn) throws Throwable {
        MemorySegment out = arena.allocate(packet.length + 256);
        MemorySegment run = testRunAttr(arena, progFd, packet, out);
        if (ctxIn != null && ctxIn.length > 0) {
            MemorySegment ctx = arena.allocate(ctxIn.length, 8);
            ctx.copyFrom(MemorySegment.ofArray(ctxIn));
            run.set(ValueLayout.JAVA_INT, 40, ctxIn.length);
            run.set(ValueLayout.JAVA_LONG, 48, ctx.address());
        }
        testRunCall(arena, run);
        int outLen = run.get(ValueLayout.JAVA_INT, 12);
        return new Outcome(run.get(ValueLayout.JAVA_INT, 4), out.asSlice(0, outLen).toArray(ValueLayout.JAVA_BYTE),
                new byte[0][]);
    }

    /**
     * A set of kernel maps and programs that lives across several calls, for tests that drive one
     * map through many operations and runs (map-type semantics, programs run repeatedly on shared
     * maps). Every fd it opened is closed by {@link #close()}. Operations return 0 or {@code -errno}
     * the way the syscall does, so tests compare errnos with the simulator's.
     */
    public static final class Session implements AutoCloseable {
        private static final int BPF_MAP_DELETE_ELEM = 3, BPF_MAP_GET_NEXT_KEY = 4,
                BPF_MAP_LOOKUP_AND_DELETE_ELEM = 21;
        private final Arena arena = Arena.ofShared();
        private final java.util.List<Integer> fds = new java.util.ArrayList<>();

        /** BPF_MAP_CREATE; {@code innerMapFd} is for map-in-map (0 otherwise); returns the fd. */
        public int createMap(int type, int keySize, int valueSize, int maxEntries, int flags, long mapExtra,
                             int innerMapFd) throws Throwable {
            MemorySegment attr = arena.allocate(128);
            attr.set(ValueLayout.JAVA_INT, 0, type);
            attr.set(ValueLayout.JAVA_INT, 4, keySize);
            attr.set(ValueLayout.JAVA_INT, 8, valueSize);
            attr.set(ValueLayout.JAVA_INT, 12, maxEntries);
            attr.set(ValueLayout.JAVA_INT, 16, flags);
            attr.set(ValueLayout.JAVA_INT, 20, innerMapFd);
            attr.set(ValueLayout.JAVA_LONG, 64, mapExtra);
            long fd = bpf(arena, BPF_MAP_CREATE, attr);
            if (fd < 0) {
                throw new BpfError("BPF_MAP_CREATE of type " + type, (int) -fd, null);
            }
            fds.add((int) fd);
            return (int) fd;
        }

        /** BPF_MAP_CREATE, returning {@code -errno} instead of throwing (to compare refusals). */
        public int tryCreateMap(int type, int keySize, int valueSize, int maxEntries, int flags, long mapExtra) {
            try {
                return createMap(type, keySize, valueSize, maxEntries, flags, mapExtra, 0);
            } catch (BpfError e) {
                return -e.errno;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        private MemorySegment bytes(byte[] b) {
            if (b == null || b.length == 0) {
                return MemorySegment.NULL;
            }
            MemorySegment m = arena.allocate(b.length);
            m.copyFrom(MemorySegment.ofArray(b));
            return m;
        }

        private long elem(int cmd, int fd, MemorySegment key, MemorySegment value, long flags) throws Throwable {
            MemorySegment attr = arena.allocate(32);
            attr.set(ValueLayout.JAVA_INT, 0, fd);
            attr.set(ValueLayout.JAVA_LONG, 8, key.address());
            attr.set(ValueLayout.JAVA_LONG, 16, value.address());
            attr.set(ValueLayout.JAVA_LONG, 24, flags);
            return bpf(arena, cmd, attr);
        }

        /** BPF_MAP_UPDATE_ELEM: 0 or -errno. */
        public int update(int fd, byte[] key, byte[] value, long flags) throws Throwable {
            return (int) elem(BPF_MAP_UPDATE_ELEM, fd, bytes(key), bytes(value), flags);
        }

        /** BPF_MAP_DELETE_ELEM: 0 or -errno. */
        public int delete(int fd, byte[] key) throws Throwable {
            return (int) elem(BPF_MAP_DELETE_ELEM, fd, bytes(key), MemorySegment.NULL, 0);
        }

        /** BPF_MAP_LOOKUP_ELEM: the value ({@code valueSize} bytes), or null on any error. */
        public byte[] lookup(int fd, byte[] key, int valueSize) throws Throwable {
            MemorySegment out = arena.allocate(Math.max(8, valueSize));
            return elem(BPF_MAP_LOOKUP_ELEM, fd, bytes(key), out, 0) == 0
                    ? out.asSlice(0, valueSize).toArray(ValueLayout.JAVA_BYTE) : null;
        }

        /** BPF_MAP_LOOKUP_AND_DELETE_ELEM: the value, or null on any error; {@link #lastErrno} says which. */
        public byte[] lookupAndDelete(int fd, byte[] key, int valueSize) throws Throwable {
            MemorySegment out = arena.allocate(Math.max(8, valueSize));
            long rc = elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, bytes(key), out, 0);
            lastErrno = rc < 0 ? (int) -rc : 0;
            return rc == 0 ? out.asSlice(0, valueSize).toArray(ValueLayout.JAVA_BYTE) : null;
        }

        /** BPF_MAP_LOOKUP_ELEM on a bloom filter, where the value is the question: 0 (maybe present) or -errno. */
        public int bloomPeek(int fd, byte[] value) throws Throwable {
            return (int) elem(BPF_MAP_LOOKUP_ELEM, fd, MemorySegment.NULL, bytes(value), 0);
        }

        /** The errno of the last {@link #lookupAndDelete} or {@link #nextKey} (0 for success). */
        public int lastErrno;

        /** BPF_MAP_GET_NEXT_KEY: the key after {@code key} (null: the first), or null at the end / on error. */
        public byte[] nextKey(int fd, byte[] key, int keySize) throws Throwable {
            MemorySegment out = arena.allocate(Math.max(8, keySize));
            long rc = elem(BPF_MAP_GET_NEXT_KEY, fd, bytes(key), out, 0);
            lastErrno = rc < 0 ? (int) -rc : 0;
            return rc == 0 ? out.asSlice(0, keySize).toArray(ValueLayout.JAVA_BYTE) : null;
        }

        /**
         * BPF_PROG_LOAD of a SCHED_CLS program; an LD_IMM64 with BPF_PSEUDO_MAP_FD/VALUE takes its imm
         * as an index into {@code mapFds}. Throws BpfError with the verifier's log on refusal.
         */
        public int loadProgram(long[] insns, int... mapFds) throws Throwable {
            int fd = loadSchedCls(arena, insns, mapFds);
            fds.add((int) fd);
            return (int) fd;
        }

        /** BPF_PROG_TEST_RUN once on {@code packet}: the program's r0 and the packet afterwards. */
        public Outcome testRun(int progFd, byte[] packet) throws Throwable {
            return testRun(progFd, packet, null);
        }

        /** As {@link #testRun(int, byte[])} with {@code ctxIn} (a struct __sk_buff, say with cb[] set) as ctx_in. */
        public Outcome testRun(int progFd, byte[] packet, byte[] ctxIn) throws Throwable {
            return KernelBpf.testRun(arena, progFd, packet, ctxIn);
        }

        /**
         * BPF_PROG_TEST_RUN once on {@code packet} with {@code ctxIn} as the {@code struct __sk_buff}
         * given in (192 bytes; only the fields test_run accepts may be non-zero): the program's r0, the
         * packet afterwards (up to 64 KiB) and the __sk_buff test_run hands back. A refused run
         * throws BpfError with the errno.
         */
        public SkbOutcome testRunSkb(int progFd, byte[] packet, byte[] ctxIn) throws Throwable {
            return testRunSkb(progFd, packet, ctxIn, 0);
        }

        /** As {@link #testRunSkb(int, byte[], byte[])} with test_run {@code flags} (BPF_F_TEST_SKB_CHECKSUM_COMPLETE = 4). */
        public SkbOutcome testRunSkb(int progFd, byte[] packet, byte[] ctxIn, int flags) throws Throwable {
            MemorySegment out = arena.allocate(packet.length + (1 << 16));
            MemorySegment ctxOut = arena.allocate(ctxIn.length);
            MemorySegment run = testRunAttr(arena, progFd, packet, out);
            run.set(ValueLayout.JAVA_INT, 40, ctxIn.length);
            run.set(ValueLayout.JAVA_INT, 44, ctxIn.length);
            run.set(ValueLayout.JAVA_LONG, 48, bytes(ctxIn).address());
            run.set(ValueLayout.JAVA_LONG, 56, ctxOut.address());
            run.set(ValueLayout.JAVA_INT, 64, flags);
            testRunCall(arena, run);
            int outLen = run.get(ValueLayout.JAVA_INT, 12);
            return new SkbOutcome(run.get(ValueLayout.JAVA_INT, 4),
                    out.asSlice(0, outLen).toArray(ValueLayout.JAVA_BYTE), ctxOut.toArray(ValueLayout.JAVA_BYTE));
        }

        @Override
        public void close() {
            try {
                for (int fd : fds) {
                    int ignored = (int) CLOSE.invokeExact(fd);
                }
            } catch (Throwable t) {
                throw new IllegalStateException("closing kernel fds: " + t, t);
            } finally {
                fds.clear();
                arena.close();
            }
        }
    }
}
