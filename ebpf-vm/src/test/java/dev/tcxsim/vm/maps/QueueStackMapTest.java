package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.tcxsim.vm.maps.MapKernelSupport.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BPF_MAP_TYPE_QUEUE and STACK: Java-side semantics, programs through the push/pop/peek helpers, and the kernel. */
class QueueStackMapTest {
    private static final byte[] NO_KEY = new byte[0];

    private static QueueStackMap map(int type, int max) throws MapException {
        return (QueueStackMap) BpfMap.create(MapSpec.of("q", type, 0, 8, max, 0));
    }

    private static int errno(ThrowingRunnable r) {
        return assertThrows(MapException.class, r::run).errno();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static List<Long> drain(BpfMap m) {
        List<Long> out = new ArrayList<>();
        while (true) {
            try {
                out.add(u64(m.lookupAndDelete(NO_KEY)));
            } catch (MapException e) {
                assertEquals(MapException.ENOENT, e.errno(), "an empty queue or stack pops ENOENT");
                return out;
            }
        }
    }

    @Test
    void createChecksAsTheKernel() {
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("q", BpfMap.TYPE_QUEUE, 4, 8, 2, 0))),
                "a key size");
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("q", BpfMap.TYPE_QUEUE, 0, 0, 2, 0))),
                "no value size");
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("q", BpfMap.TYPE_STACK, 0, 8, 0, 0))),
                "no max_entries");
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("q", BpfMap.TYPE_STACK, 0, 8, 2,
                BpfMap.BPF_F_NO_PREALLOC))), "BPF_F_NO_PREALLOC is not a queue/stack flag");
    }

    @Test
    void queueIsFifoAndExistOverwritesTheOldest() throws Exception {
        QueueStackMap q = map(BpfMap.TYPE_QUEUE, 3);
        assertNull(q.lookup(NO_KEY), "peek of an empty queue");
        for (long v = 1; v <= 3; v++) {
            q.update(NO_KEY, u64(v), BpfMap.BPF_ANY);
        }
        assertEquals(MapException.E2BIG, errno(() -> q.update(NO_KEY, u64(4), BpfMap.BPF_ANY)));
        assertEquals(MapException.EINVAL, errno(() -> q.update(NO_KEY, u64(4), BpfMap.BPF_NOEXIST)));
        q.update(NO_KEY, u64(5), BpfMap.BPF_EXIST);
        assertEquals(2, u64(q.lookup(NO_KEY)), "peek sees the oldest left after 1 was dropped");
        assertEquals(MapException.EINVAL, errno(() -> q.delete(NO_KEY)));
        assertEquals(MapException.EINVAL, errno(() -> q.nextKey(null)));
        assertEquals(List.of(2L, 3L, 5L), drain(q));
    }

    @Test
    void stackIsLifoAndExistStillDropsTheOldest() throws Exception {
        QueueStackMap s = map(BpfMap.TYPE_STACK, 3);
        for (long v = 1; v <= 3; v++) {
            s.update(NO_KEY, u64(v), BpfMap.BPF_ANY);
        }
        s.update(NO_KEY, u64(9), BpfMap.BPF_EXIST);
        assertEquals(9, u64(s.lookup(NO_KEY)));
        assertEquals(List.of(9L, 3L, 2L), drain(s), "1, the oldest, was overwritten");
    }

    /** Random push/pop/peek sequences on the kernel's map and ours, through the syscall side. */
    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {BpfMap.TYPE_QUEUE, BpfMap.TYPE_STACK})
    void syscallSideSameAsTheKernel(int type) throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        SplittableRandom rnd = new SplittableRandom(7 + type);
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int fd = k.createMap(type, 0, 8, 4, 0, 0, 0);
            QueueStackMap sim = map(type, 4);
            for (int step = 0; step < 400; step++) {
                int op = rnd.nextInt(4);
                long v = rnd.nextLong(1000);
                String what = "step " + step + " op " + op;
                switch (op) {
                    case 0, 1 -> {
                        long flags = rnd.nextInt(4) == 0 ? BpfMap.BPF_EXIST : rnd.nextInt(8) == 0 ? 1 : 0;
                        int krc = k.update(fd, null, u64(v), flags);
                        int src = 0;
                        try {
                            sim.update(NO_KEY, u64(v), flags);
                        } catch (MapException e) {
                            src = -e.errno();
                        }
                        assertEquals(krc, src, what + " push flags " + flags);
                    }
                    case 2 -> {
                        byte[] kv = k.lookupAndDelete(fd, null, 8);
                        int kerr = k.lastErrno;
                        byte[] sv = null;
                        int serr = 0;
                        try {
                            sv = sim.lookupAndDelete(NO_KEY);
                        } catch (MapException e) {
                            serr = e.errno();
                        }
                        assertArrayEquals(kv, sv, what + " pop");
                        assertEquals(kerr, serr, what + " pop errno");
                    }
                    default -> assertArrayEquals(k.lookup(fd, null, 8), sim.lookup(NO_KEY), what + " peek");
                }
            }
        }
    }

    /** ops (1 push, 2 push BPF_EXIST, 3 pop, 4 peek, 5 push BPF_NOEXIST), values, map (0 queue, 1 stack). */
    private static byte[] script(int map, int[] ops, int[] values) {
        byte[] p = Modes.packet(64);
        for (int i = 0; i < 8; i++) {
            p[i] = (byte) (i < ops.length ? ops[i] : 0);
            p[8 + i] = (byte) (i < values.length ? values[i] : 0);
        }
        p[16] = (byte) map;
        return p;
    }

    private record Observed(long r0, long[] results, long[] got, List<Long> left) {
        void assertSame(Observed o, String what) {
            assertEquals(r0, o.r0, what + ": r0");
            assertArrayEquals(results, o.results, what + ": results");
            assertArrayEquals(got, o.got, what + ": got");
            assertEquals(left, o.left, what + ": elements left");
        }
    }

    private static Observed simRun(Modes.Mode mode, byte[] packet) throws Exception {
        BpfObject obj = MapKernelSupport.object("maps_queue");
        LoadedObject loaded = Modes.vm(mode).load(obj);
        SkBuff skb = new SkBuff(packet);
        skb.setIfindex(1);
        RunResult r = loaded.program("queue_script").run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), r.fault());
        long[] results = new long[8];
        long[] got = new long[8];
        for (int i = 0; i < 8; i++) {
            results[i] = u64(loaded.map("results").lookup(MapKernelSupport.u32(i)));
            got[i] = u64(loaded.map("got").lookup(MapKernelSupport.u32(i)));
        }
        return new Observed(r.returnValue(), results, got, drain(loaded.map(packet[16] == 0 ? "fifo" : "lifo")));
    }

    private static Observed kernelRun(byte[] packet) throws Throwable {
        BpfObject obj = MapKernelSupport.object("maps_queue");
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int[] fds = MapKernelSupport.createMaps(k, obj);
            int prog = k.loadProgram(MapKernelSupport.withMapIndexes(obj.program("queue_script")), fds);
            KernelBpf.Outcome o = k.testRun(prog, packet);
            long[] results = new long[8];
            long[] got = new long[8];
            int res = indexOf(obj, "results");
            int g = indexOf(obj, "got");
            for (int i = 0; i < 8; i++) {
                results[i] = u64(k.lookup(fds[res], MapKernelSupport.u32(i), 8));
                got[i] = u64(k.lookup(fds[g], MapKernelSupport.u32(i), 8));
            }
            int qfd = fds[indexOf(obj, packet[16] == 0 ? "fifo" : "lifo")];
            List<Long> left = new ArrayList<>();
            for (byte[] v; (v = k.lookupAndDelete(qfd, null, 8)) != null; ) {
                left.add(u64(v));
            }
            assertEquals(MapException.ENOENT, k.lastErrno);
            return new Observed(o.retval(), results, got, left);
        }
    }

    private static int indexOf(BpfObject obj, String map) {
        for (int i = 0; i < obj.maps().size(); i++) {
            if (obj.maps().get(i).name().equals(map)) {
                return i;
            }
        }
        throw new IllegalArgumentException(map);
    }

    private static final int[] FILL_AND_OVERFLOW = {1, 1, 1, 1, 2, 3, 4, 5};
    private static final int[] VALUES = {11, 22, 33, 44, 55, 0, 0, 66};

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void programDrivesTheQueue(Modes.Mode mode) throws Exception {
        Observed o = simRun(mode, script(0, FILL_AND_OVERFLOW, VALUES));
        assertArrayEquals(new long[] {0, 0, 0, -MapException.E2BIG, 0, 0, 0, -MapException.EINVAL}, o.results());
        assertEquals(22, o.got()[5], "pop after 11 was overwritten by the BPF_EXIST push");
        assertEquals(33, o.got()[6], "peek");
        assertEquals(0xeeee, o.got()[0], "a push leaves the output alone");
        assertEquals(List.of(33L, 55L), o.left());
        assertEquals(6, o.r0());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void programDrivesTheStackAndEmptyPopsZeroTheValue(Modes.Mode mode) throws Exception {
        Observed o = simRun(mode, script(1, new int[] {3, 4, 1, 3, 3}, new int[] {0, 0, 7}));
        assertArrayEquals(new long[] {-MapException.ENOENT, -MapException.ENOENT, 0, 0, -MapException.ENOENT, 0, 0, 0},
                o.results());
        assertArrayEquals(new long[] {0, 0, 0xeeee, 7, 0, 0, 0, 0}, o.got(), "empty pop/peek zero the destination");
        assertTrue(o.left().isEmpty());
    }

    @ParameterizedTest(name = "map {0}")
    @ValueSource(ints = {0, 1})
    void programSameAsTheKernel(int map) throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        List<byte[]> scripts = List.of(script(map, FILL_AND_OVERFLOW, VALUES),
                script(map, new int[] {3, 4, 1, 3, 3}, new int[] {0, 0, 7}),
                script(map, new int[] {1, 2, 2, 2, 2, 4, 3, 1}, new int[] {1, 2, 3, 4, 5, 0, 0, 6}));
        for (byte[] s : scripts) {
            Observed kernel = kernelRun(s);
            for (Modes.Mode mode : List.of(Modes.Mode.REFERENCE, Modes.Mode.INTERPRETED, Modes.Mode.COMPILED)) {
                kernel.assertSame(simRun(mode, s), mode + " script " + java.util.Arrays.toString(
                        java.util.Arrays.copyOf(s, 17)));
            }
        }
    }
}
