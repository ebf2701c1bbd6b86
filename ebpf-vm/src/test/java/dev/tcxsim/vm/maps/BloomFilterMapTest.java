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
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BPF_MAP_TYPE_BLOOM_FILTER: no false negatives, map_extra's hash count, and the kernel's very bits. */
class BloomFilterMapTest {
    private static int errno(ThrowingRunnable r) {
        return assertThrows(MapException.class, r::run).errno();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static byte[] random(SplittableRandom rnd, int size) {
        byte[] b = new byte[size];
        rnd.nextBytes(b);
        return b;
    }

    @Test
    void createChecksAsTheKernel() {
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("b", BpfMap.TYPE_BLOOM_FILTER, 4, 4, 8,
                0, 0))), "a key");
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("b", BpfMap.TYPE_BLOOM_FILTER, 0, 4, 8,
                0, 0x10))), "map_extra beyond 15 hash functions");
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("b", BpfMap.TYPE_BLOOM_FILTER, 0, 4, 8,
                BpfMap.BPF_F_NO_PREALLOC, 0))), "BPF_F_NO_PREALLOC");
    }

    @Test
    void noFalseNegativesAndTheDefaultHashCount() throws Exception {
        BloomFilterMap b = (BloomFilterMap) BpfMap.create(MapSpec.of("b", BpfMap.TYPE_BLOOM_FILTER, 0, 12, 200, 0, 0));
        assertEquals(5, b.nrHashFuncs(), "map_extra 0 means 5 hash functions");
        assertEquals(2048, b.bitCount(), "200 * 5 / 5 * 7 = 1400 bits, rounded up to a power of two");
        SplittableRandom rnd = new SplittableRandom(3);
        List<byte[]> in = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] v = random(rnd, 12);
            in.add(v);
            b.update(new byte[0], v, BpfMap.BPF_ANY);
        }
        for (byte[] v : in) {
            assertTrue(b.mayContain(v));
        }
        int positives = 0;
        for (int i = 0; i < 1000; i++) {
            positives += b.mayContain(random(rnd, 12)) ? 1 : 0;
        }
        assertTrue(positives < 200, "a sized filter answers 'absent' for most strangers, got " + positives);
        assertEquals(MapException.EINVAL, errno(() -> b.update(new byte[0], in.get(0), BpfMap.BPF_EXIST)));
        assertEquals(MapException.EOPNOTSUPP, errno(() -> b.delete(new byte[0])));
        assertEquals(MapException.EOPNOTSUPP, errno(() -> b.nextKey(null)));
        assertNull(b.lookup(new byte[0]), "a lookup needs the value: mayContain");
    }

    @Test
    void anEmptyFilterContainsNothing() throws Exception {
        BloomFilterMap b = (BloomFilterMap) BpfMap.create(MapSpec.of("b", BpfMap.TYPE_BLOOM_FILTER, 0, 4, 4, 0, 3));
        assertFalse(b.mayContain(new byte[4]));
        assertEquals(3, b.nrHashFuncs());
        assertEquals(64, b.bitCount());
    }

    /** With BPF_F_ZERO_SEED the kernel's bits are fixed: every answer, false positives included, must agree. */
    @ParameterizedTest(name = "value size {0}, map_extra {1}, {2} entries")
    @CsvSource({"4,1,16,true", "4,0,50,true", "6,3,40,true", "13,2,30,true", "16,5,100,true", "24,15,8,false"})
    void sameBitsAsTheKernel(int valueSize, int mapExtra, int maxEntries, boolean strangersHit) throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        SplittableRandom rnd = new SplittableRandom(valueSize * 31L + mapExtra);
        int flags = BloomFilterMap.BPF_F_ZERO_SEED;
        BloomFilterMap sim = (BloomFilterMap) BpfMap.create(MapSpec.of("b", BpfMap.TYPE_BLOOM_FILTER, 0, valueSize,
                maxEntries, flags, mapExtra));
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int fd = k.createMap(BpfMap.TYPE_BLOOM_FILTER, 0, valueSize, maxEntries, flags, mapExtra, 0);
            for (int i = 0; i < maxEntries; i++) {
                byte[] v = random(rnd, valueSize);
                assertEquals(0, k.update(fd, null, v, 0));
                sim.update(new byte[0], v, BpfMap.BPF_ANY);
            }
            int kernelPositives = 0;
            for (int i = 0; i < 2000; i++) {
                byte[] probe = random(rnd, valueSize);
                int krc = k.bloomPeek(fd, probe);
                assertEquals(krc == 0, sim.mayContain(probe), "probe " + i + ": kernel said " + krc);
                kernelPositives += krc == 0 ? 1 : 0;
            }
            assertTrue(kernelPositives > 0 || !strangersHit, "the filters are small enough that some strangers hit: the comparison "
                    + "covers false positives too");
            assertEquals(-MapException.EINVAL, k.update(fd, null, new byte[valueSize], BpfMap.BPF_EXIST));
        }
    }

    private static byte[] packet(int action, int a, int b, int c, int d) {
        byte[] p = Modes.packet(64);
        p[0] = (byte) action;
        p[26] = (byte) a;
        p[27] = (byte) b;
        p[28] = (byte) c;
        p[29] = (byte) d;
        return p;
    }

    @Test
    void programSameAsTheKernel() throws Throwable {
        List<byte[]> packets = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 40; i++) {
            packets.add(packet(1 + rnd.nextInt(3), 10, 0, rnd.nextInt(4), rnd.nextInt(40)));
        }
        BpfObject obj = MapKernelSupport.object("maps_bloom");
        assertEquals(1, obj.maps().get(0).mapExtra(), "map_extra comes from the BTF map definition");
        List<Long> sim = new ArrayList<>();
        LoadedObject loaded = Modes.vm(Modes.Mode.COMPILED).load(obj);
        for (byte[] p : packets) {
            SkBuff skb = new SkBuff(p.clone());
            skb.setIfindex(1);
            RunResult r = loaded.program("bloom_source").run(skb, RunEnv.DEFAULT);
            assertNull(r.fault(), r.fault());
            sim.add((long) (int) r.returnValue());
        }
        assertTrue(sim.contains((long) -MapException.EINVAL) && sim.contains((long) -MapException.ENOENT)
                && sim.contains(0L), "the packets exercise every answer: " + sim);
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        List<Long> kernel = new ArrayList<>();
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int[] fds = MapKernelSupport.createMaps(k, obj);
            int prog = k.loadProgram(MapKernelSupport.withMapIndexes(obj.program("bloom_source")), fds);
            for (byte[] p : packets) {
                kernel.add((long) k.testRun(prog, p.clone()).retval());
            }
        }
        assertEquals(kernel, sim);
    }
}
