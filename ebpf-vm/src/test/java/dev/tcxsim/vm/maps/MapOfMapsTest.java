package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.EbpfVm;
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
import java.util.List;
import java.util.Map;

import static dev.tcxsim.vm.maps.MapKernelSupport.u32;
import static dev.tcxsim.vm.maps.MapKernelSupport.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ARRAY_OF_MAPS and HASH_OF_MAPS: templates, initial slots from __array, program lookups through the inner map. */
class MapOfMapsTest {
    private static final MapSpec INNER = MapSpec.of("inner", BpfMap.TYPE_ARRAY, 4, 8, 4, 0);

    private static int errno(ThrowingRunnable r) {
        return assertThrows(MapException.class, r::run).errno();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static RunResult run(LoadedObject obj, int slot) {
        SkBuff skb = new SkBuff(Modes.packet(64));
        skb.setIfindex(1);
        skb.setCb(0, slot);
        RunResult r = obj.program("count_inner").run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), r.fault());
        return r;
    }

    /** Loads map_in_map.o into the shared VM of {@code mode} and unpins its pinned {@code outer}, so loads stay apart. */
    static LoadedObject load(Modes.Mode mode) throws Exception {
        EbpfVm vm = Modes.vm(mode);
        try {
            return vm.load(MapKernelSupport.object("map_in_map"));
        } finally {
            vm.pins().unpin(MapPins.pathOf(dev.tcxsim.vm.elf.LoadOptions.DEFAULT_PIN_ROOT, "outer"));
        }
    }

    @Test
    void theObjectCarriesTheInitialInnerMaps() throws Exception {
        BpfObject obj = MapKernelSupport.object("map_in_map");
        MapSpec outer = obj.maps().get(obj.mapIndex("outer"));
        assertEquals(Map.of(0, "inner_a", 1, "inner_b"), outer.initialMapSlots());
        assertTrue(outer.initialProgSlots().isEmpty());
        assertEquals("outer.inner", obj.maps().get(outer.innerMapIndex()).name());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void programCountsInTheInnerMapOfItsSlot(Modes.Mode mode) throws Exception {
        LoadedObject obj = load(mode);
        MapOfMaps outer = (MapOfMaps) obj.map("outer");
        assertSame(obj.map("inner_a"), outer.get(u32(0)), "slot 0 from .values");
        assertArrayEquals(u32(obj.map("inner_b").id()), outer.lookup(u32(1)), "a lookup gives the inner map's id");
        run(obj, 0);
        run(obj, 1);
        run(obj, 1);
        assertEquals(1, u64(obj.map("inner_a").lookup(u32(0))));
        assertEquals(2, u64(obj.map("inner_b").lookup(u32(0))));

        BpfMap fresh = BpfMap.create(outer.template());
        outer.update(u32(1), u32(fresh.id()), BpfMap.BPF_ANY);
        run(obj, 1);
        assertEquals(1, u64(fresh.lookup(u32(0))), "the program follows the slot the Java side replaced");
        assertEquals(2, u64(obj.map("inner_b").lookup(u32(0))));

        outer.delete(u32(1));
        run(obj, 1);
        assertEquals(1, u64(fresh.lookup(u32(0))), "an empty slot is a NULL lookup: nothing counted");
        assertEquals(MapException.ENOENT, errno(() -> outer.delete(u32(1))));
    }

    @Test
    void innerMapsMustMatchTheTemplate() throws Exception {
        MapOfMaps outer = (MapOfMaps) BpfMap.create(MapSpec.of("o", BpfMap.TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0), INNER);
        MapOfMaps byId = (MapOfMaps) BpfMap.create(MapSpec.of("h", BpfMap.TYPE_HASH_OF_MAPS, 8, 4, 1, 0), INNER);
        BpfMap good = BpfMap.create(INNER);
        BpfMap bigger = BpfMap.create(MapSpec.of("big", BpfMap.TYPE_ARRAY, 4, 8, 5, 0));
        BpfMap hash = BpfMap.create(MapSpec.of("hash", BpfMap.TYPE_HASH, 4, 8, 4, 0));
        assertEquals(MapException.EINVAL, errno(() -> outer.set(u32(0), bigger, 0)), "max_entries differs");
        assertEquals(MapException.EINVAL, errno(() -> outer.set(u32(0), hash, 0)), "type differs");
        assertEquals(MapException.E2BIG, errno(() -> outer.set(u32(2), good, 0)));
        assertEquals(MapException.EINVAL, errno(() -> outer.set(u32(0), good, BpfMap.BPF_NOEXIST)),
                "an fd array takes BPF_ANY only");
        assertEquals(MapException.EBADF, errno(() -> outer.update(u32(0), u32(0x3fff_ffff), 0)), "no such map id");
        byte[] k1 = u64(1);
        byId.set(k1, good, BpfMap.BPF_NOEXIST);
        assertEquals(MapException.E2BIG, errno(() -> byId.set(u64(2), good, 0)), "hash of maps is full");
        assertEquals(MapException.ENOENT, errno(() -> byId.set(u64(3), good, BpfMap.BPF_EXIST)));
        assertArrayEquals(k1, byId.nextKey(null));
        MapSpec innerMapFlag = MapSpec.of("t", BpfMap.TYPE_ARRAY, 4, 8, 4, MapOfMaps.BPF_F_INNER_MAP);
        MapOfMaps loose = (MapOfMaps) BpfMap.create(MapSpec.of("l", BpfMap.TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0),
                innerMapFlag);
        loose.set(u32(0), BpfMap.create(MapSpec.of("x", BpfMap.TYPE_ARRAY, 4, 8, 9, MapOfMaps.BPF_F_INNER_MAP)), 0);
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("o", BpfMap.TYPE_ARRAY_OF_MAPS, 4, 4,
                2, 0))), "no template");
    }

    /** The same template rules on the kernel: errno of each update. */
    @Test
    void templateRulesSameAsTheKernel() throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        MapSpec[] candidates = {INNER, MapSpec.of("big", BpfMap.TYPE_ARRAY, 4, 8, 5, 0),
            MapSpec.of("hash", BpfMap.TYPE_HASH, 4, 8, 4, 0), MapSpec.of("wide", BpfMap.TYPE_ARRAY, 4, 16, 4, 0),
            MapSpec.of("rdonly", BpfMap.TYPE_ARRAY, 4, 8, 4, BpfMap.BPF_F_RDONLY_PROG)};
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int template = k.createMap(INNER.type(), 4, 8, 4, 0, 0, 0);
            int outerFd = k.createMap(BpfMap.TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, 0, template);
            MapOfMaps outer = (MapOfMaps) BpfMap.create(MapSpec.of("o", BpfMap.TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0), INNER);
            List<Integer> kernel = new ArrayList<>();
            List<Integer> sim = new ArrayList<>();
            for (MapSpec c : candidates) {
                int fd = k.createMap(c.type(), c.keySize(), c.valueSize(), c.maxEntries(), c.flags(), 0, 0);
                for (long flags : new long[] {BpfMap.BPF_ANY, BpfMap.BPF_NOEXIST}) {
                    kernel.add(k.update(outerFd, u32(0), u32(fd), flags));
                    try {
                        outer.set(u32(0), BpfMap.create(c), flags);
                        sim.add(0);
                    } catch (MapException e) {
                        sim.add(-e.errno());
                    }
                }
            }
            assertEquals(kernel, sim);
            assertEquals(-MapException.E2BIG, k.update(outerFd, u32(2), u32(template), 0));
            assertEquals(-MapException.E2BIG, -errno(() -> outer.set(u32(2), BpfMap.create(INNER), 0)));
        }
    }

    @Test
    void programSameAsTheKernel() throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        BpfObject obj = MapKernelSupport.object("map_in_map");
        int[] slots = {0, 1, 1, 3, 0, 1};
        long[] kernel = new long[2];
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int[] fds = MapKernelSupport.createMaps(k, obj);
            int prog = k.loadProgram(MapKernelSupport.withMapIndexes(obj.program("count_inner")), fds);
            for (int slot : slots) {
                byte[] ctx = new byte[192];
                ctx[48] = (byte) slot;
                assertEquals(0, k.testRun(prog, Modes.packet(64), ctx).retval());
            }
            kernel[0] = u64(k.lookup(fds[obj.mapIndex("inner_a")], u32(0), 8));
            kernel[1] = u64(k.lookup(fds[obj.mapIndex("inner_b")], u32(0), 8));
        }
        assertArrayEquals(new long[] {2, 4}, kernel, "slot 3 & 1 is slot 1");
        for (Modes.Mode mode : List.of(Modes.Mode.REFERENCE, Modes.Mode.INTERPRETED, Modes.Mode.COMPILED)) {
            LoadedObject loaded = load(mode);
            for (int slot : slots) {
                assertEquals(0, run(loaded, slot).returnValue());
            }
            assertArrayEquals(kernel, new long[] {u64(loaded.map("inner_a").lookup(u32(0))),
                u64(loaded.map("inner_b").lookup(u32(0)))}, mode.toString());
        }
    }
}
