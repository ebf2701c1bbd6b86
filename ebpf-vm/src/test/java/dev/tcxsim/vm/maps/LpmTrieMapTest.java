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

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static dev.tcxsim.vm.maps.MapKernelSupport.u32;
import static dev.tcxsim.vm.maps.MapKernelSupport.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** BPF_MAP_TYPE_LPM_TRIE: longest-prefix match, exact update/delete, the kernel's get_next_key order. */
class LpmTrieMapTest {
    private static final int NO_PREALLOC = BpfMap.BPF_F_NO_PREALLOC;

    /** An IPv4 trie key: prefixlen, then a.b.c.d. */
    private static byte[] v4(int len, int a, int b, int c, int d) {
        return new byte[] {(byte) len, (byte) (len >> 8), 0, 0, (byte) a, (byte) b, (byte) c, (byte) d};
    }

    private static LpmTrieMap trie(int max) throws MapException {
        return (LpmTrieMap) BpfMap.create(MapSpec.of("routes", BpfMap.TYPE_LPM_TRIE, 8, 4, max, NO_PREALLOC));
    }

    private static int errno(ThrowingRunnable r) {
        return assertThrows(MapException.class, r::run).errno();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static List<String> keys(BpfMap m) {
        List<String> out = new ArrayList<>();
        byte[] k = null;
        while (true) {
            try {
                k = m.nextKey(k);
            } catch (MapException e) {
                assertEquals(MapException.ENOENT, e.errno());
                return out;
            }
            out.add(HexFormat.of().formatHex(k));
        }
    }

    @Test
    void createNeedsNoPreallocAndASaneKey() {
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("t", BpfMap.TYPE_LPM_TRIE, 8, 4, 4, 0))),
                "without BPF_F_NO_PREALLOC");
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("t", BpfMap.TYPE_LPM_TRIE, 4, 4, 4,
                NO_PREALLOC))), "no data bytes");
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("t", BpfMap.TYPE_LPM_TRIE, 261, 4, 4,
                NO_PREALLOC))), "more than 256 data bytes");
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("t", BpfMap.TYPE_LPM_TRIE, 8, 0, 4,
                NO_PREALLOC))), "no value");
    }

    @Test
    void longestPrefixWinsWithinTheKeysLength() throws Exception {
        LpmTrieMap t = trie(8);
        t.update(v4(8, 10, 0, 0, 0), u32(1), BpfMap.BPF_ANY);
        t.update(v4(24, 10, 0, 0, 0), u32(2), BpfMap.BPF_ANY);
        t.update(v4(32, 10, 0, 0, 9), u32(3), BpfMap.BPF_ANY);
        assertArrayEquals(u32(3), t.lookup(v4(32, 10, 0, 0, 9)));
        assertArrayEquals(u32(2), t.lookup(v4(32, 10, 0, 0, 7)));
        assertArrayEquals(u32(1), t.lookup(v4(32, 10, 9, 9, 9)));
        assertArrayEquals(u32(2), t.lookup(v4(31, 10, 0, 0, 9)), "a /31 key cannot match the /32");
        assertNull(t.lookup(v4(32, 11, 0, 0, 0)));
        assertNull(t.lookup(v4(33, 10, 0, 0, 9)), "prefixlen above 32");
        assertEquals(MapException.EINVAL, errno(() -> t.update(v4(33, 10, 0, 0, 0), u32(1), BpfMap.BPF_ANY)));
        assertEquals(MapException.EEXIST, errno(() -> t.update(v4(24, 10, 0, 0, 99), u32(1), BpfMap.BPF_NOEXIST)),
                "bits past the prefix do not make another prefix");
        assertEquals(MapException.ENOENT, errno(() -> t.update(v4(16, 10, 0, 0, 0), u32(1), BpfMap.BPF_EXIST)));
        assertEquals(MapException.ENOENT, errno(() -> t.delete(v4(16, 10, 0, 0, 0))), "delete is exact");
        t.delete(v4(32, 10, 0, 0, 9));
        assertArrayEquals(u32(2), t.lookup(v4(32, 10, 0, 0, 9)));
    }

    @Test
    void fullTrieRefusesNewPrefixesButReplacesOld() throws Exception {
        LpmTrieMap t = trie(2);
        t.update(v4(8, 10, 0, 0, 0), u32(1), BpfMap.BPF_ANY);
        t.update(v4(16, 10, 1, 0, 0), u32(2), BpfMap.BPF_ANY);
        assertEquals(MapException.ENOSPC, errno(() -> t.update(v4(16, 10, 2, 0, 0), u32(3), BpfMap.BPF_ANY)));
        t.update(v4(16, 10, 1, 0, 0), u32(4), BpfMap.BPF_EXIST);
        assertArrayEquals(u32(4), t.lookup(v4(32, 10, 1, 2, 3)));
    }

    @Test
    void nextKeyIsThePostorderOfTheTrie() throws Exception {
        LpmTrieMap t = trie(8);
        t.update(v4(16, 192, 168, 0, 0), u32(1), BpfMap.BPF_ANY);
        t.update(v4(24, 192, 168, 128, 0), u32(2), BpfMap.BPF_ANY);
        t.update(v4(24, 192, 168, 0, 0), u32(3), BpfMap.BPF_ANY);
        t.update(v4(24, 192, 168, 1, 0), u32(4), BpfMap.BPF_ANY);
        HexFormat hex = HexFormat.of();
        assertEquals(List.of(hex.formatHex(v4(24, 192, 168, 0, 0)), hex.formatHex(v4(24, 192, 168, 1, 0)),
                hex.formatHex(v4(24, 192, 168, 128, 0)), hex.formatHex(v4(16, 192, 168, 0, 0))), keys(t));
        assertArrayEquals(v4(24, 192, 168, 0, 0), t.nextKey(v4(8, 1, 2, 3, 4)), "an absent key restarts");
    }

    /** A random walk of updates, deletes, lookups and full iterations on the kernel's trie and ours. */
    @Test
    void syscallSideSameAsTheKernel() throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        SplittableRandom rnd = new SplittableRandom(42);
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int fd = k.createMap(BpfMap.TYPE_LPM_TRIE, 8, 4, 12, NO_PREALLOC, 0, 0);
            LpmTrieMap sim = trie(12);
            for (int step = 0; step < 600; step++) {
                // few distinct high bits so that prefixes nest and collide often
                byte[] key = v4(rnd.nextInt(10) == 0 ? 33 : rnd.nextInt(33), 10, rnd.nextInt(4) << 6,
                        rnd.nextInt(3), rnd.nextInt(256));
                String what = "step " + step + " key " + HexFormat.of().formatHex(key);
                switch (rnd.nextInt(5)) {
                    case 0, 1 -> {
                        long flags = rnd.nextInt(3);
                        byte[] v = u32(step);
                        int krc = k.update(fd, key, v, flags);
                        int src = 0;
                        try {
                            sim.update(key, v, flags);
                        } catch (MapException e) {
                            src = -e.errno();
                        }
                        assertEquals(krc, src, what + " update flags " + flags);
                    }
                    case 2 -> {
                        int krc = k.delete(fd, key);
                        int src = 0;
                        try {
                            sim.delete(key);
                        } catch (MapException e) {
                            src = -e.errno();
                        }
                        assertEquals(krc, src, what + " delete");
                    }
                    case 3 -> assertArrayEquals(k.lookup(fd, key, 4), sim.lookup(key), what + " lookup");
                    default -> {
                        List<String> kernelKeys = new ArrayList<>();
                        for (byte[] kk = k.nextKey(fd, null, 8); kk != null; kk = k.nextKey(fd, kk, 8)) {
                            kernelKeys.add(HexFormat.of().formatHex(kk));
                        }
                        assertEquals(MapException.ENOENT, k.lastErrno);
                        assertEquals(kernelKeys, keys(sim), what + " iteration order");
                        byte[] simNext;
                        try {
                            simNext = sim.nextKey(key);
                        } catch (MapException e) {
                            simNext = null;
                        }
                        assertArrayEquals(k.nextKey(fd, key, 8), simNext, what + " next key after a possibly absent key");
                    }
                }
            }
        }
    }

    private static byte[] ipv4(int[] src, int[] dst) {
        byte[] p = Modes.packet(64);
        p[12] = 0x08;
        p[13] = 0;
        for (int i = 0; i < 4; i++) {
            p[26 + i] = (byte) src[i];
            p[30 + i] = (byte) dst[i];
        }
        return p;
    }

    private static final List<byte[]> PACKETS = List.of(
            ipv4(new int[] {10, 0, 0, 1}, new int[] {10, 0, 0, 9}),
            ipv4(new int[] {10, 0, 0, 2}, new int[] {10, 0, 0, 9}),
            ipv4(new int[] {172, 16, 3, 4}, new int[] {10, 0, 0, 7}),
            ipv4(new int[] {192, 168, 7, 1}, new int[] {192, 168, 7, 200}),
            ipv4(new int[] {1, 1, 1, 1}, new int[] {8, 8, 8, 8}),
            ipv4(new int[] {2, 2, 2, 2}, new int[] {10, 1, 2, 3}),
            ipv4(new int[] {3, 3, 3, 3}, new int[] {172, 16, 3, 77}));

    private static final byte[][] ROUTES = {v4(8, 10, 0, 0, 0), v4(24, 10, 0, 0, 0), v4(32, 10, 0, 0, 9),
        v4(16, 192, 168, 0, 0), v4(0, 0, 0, 0, 0)};

    /** What one run leaves: r0, the outcome array, and the trie's keys and values in iteration order. */
    private record Observed(long r0, List<Long> outcome, List<String> trie) {
    }

    private static List<Observed> simRuns(Modes.Mode mode) throws Exception {
        LoadedObject loaded = Modes.vm(mode).load(MapKernelSupport.object("maps_lpm"));
        BpfMap routes = loaded.map("routes");
        for (int i = 0; i < ROUTES.length; i++) {
            routes.update(ROUTES[i], u32(i + 1), BpfMap.BPF_ANY);
        }
        List<Observed> out = new ArrayList<>();
        for (byte[] p : PACKETS) {
            SkBuff skb = new SkBuff(p.clone());
            skb.setIfindex(1);
            RunResult r = loaded.program("classify").run(skb, RunEnv.DEFAULT);
            assertNull(r.fault(), r.fault());
            List<Long> outcome = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                outcome.add(u64(loaded.map("outcome").lookup(u32(i))));
            }
            List<String> trie = new ArrayList<>();
            for (String key : keys(routes)) {
                trie.add(key + "=" + HexFormat.of().formatHex(routes.lookup(HexFormat.of().parseHex(key))));
            }
            out.add(new Observed((int) r.returnValue(), outcome, trie));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void programClassifiesInsertsAndDeletes(Modes.Mode mode) throws Exception {
        List<Observed> runs = simRuns(mode);
        assertEquals(List.of(3L, (long) -MapException.EEXIST, 0L, 2L), runs.get(0).outcome(),
                "10.0.0.9 is class 3; the source's 10.0.0.1/24 is the stored 10.0.0.0/24; the /32 goes, /24 is next");
        assertEquals(2L, runs.get(1).r0(), "the /32 was deleted by the first packet");
        assertEquals(-MapException.EEXIST, runs.get(1).outcome().get(1));
        assertEquals(-MapException.ENOENT, runs.get(1).outcome().get(2));
        assertEquals(5L, runs.get(4).r0(), "8.8.8.8 falls to the default route 0/0");
    }

    @Test
    void programSameAsTheKernel() throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        BpfObject obj = MapKernelSupport.object("maps_lpm");
        List<Observed> kernel = new ArrayList<>();
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int[] fds = MapKernelSupport.createMaps(k, obj);
            int routes = fds[0];
            int outcome = fds[1];
            for (int i = 0; i < ROUTES.length; i++) {
                assertEquals(0, k.update(routes, ROUTES[i], u32(i + 1), 0));
            }
            int prog = k.loadProgram(MapKernelSupport.withMapIndexes(obj.program("classify")), fds);
            for (byte[] p : PACKETS) {
                KernelBpf.Outcome o = k.testRun(prog, p.clone());
                List<Long> out = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    out.add(u64(k.lookup(outcome, u32(i), 8)));
                }
                List<String> trie = new ArrayList<>();
                for (byte[] kk = k.nextKey(routes, null, 8); kk != null; kk = k.nextKey(routes, kk, 8)) {
                    trie.add(HexFormat.of().formatHex(kk) + "=" + HexFormat.of().formatHex(k.lookup(routes, kk, 4)));
                }
                kernel.add(new Observed(o.retval(), out, trie));
            }
        }
        for (Modes.Mode mode : List.of(Modes.Mode.REFERENCE, Modes.Mode.INTERPRETED, Modes.Mode.COMPILED)) {
            assertEquals(kernel, simRuns(mode), mode.toString());
        }
    }
}
