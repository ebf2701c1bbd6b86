package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tcxsim.vm.maps.MapKernelSupport.u32;
import static dev.tcxsim.vm.maps.MapKernelSupport.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LIBBPF_PIN_BY_NAME between objects of one VM; hash map flags; LRU_PERCPU_HASH; BPF_F_RDONLY_PROG. */
class PinAndFlagsTest {
    private static void run(LoadedObject obj, String program) {
        SkBuff skb = new SkBuff(Modes.packet(64));
        RunResult r = obj.program(program).run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), r.fault());
    }

    @Test
    void twoObjectsShareTheMapPinnedByName() throws Exception {
        try (EbpfVm vm = EbpfVm.referenceInterpreter()) {
            LoadedObject a = vm.load(MapKernelSupport.object("maps_pin_a"));
            LoadedObject b = vm.load(MapKernelSupport.object("maps_pin_b"));
            assertSame(a.map("shared_hits"), b.map("shared_hits"), "b reused a's pinned map");
            assertNotSame(a.map("own_hits"), b.map("own_hits"));
            String path = MapPins.pathOf(dev.tcxsim.vm.elf.LoadOptions.DEFAULT_PIN_ROOT, "shared_hits");
            assertEquals(List.of(path), vm.pins().names());
            run(a, "count_a");
            run(b, "count_b");
            run(b, "count_b");
            assertEquals(201, u64(a.map("shared_hits").lookup(u32(0))));
            assertEquals(1, u64(a.map("own_hits").lookup(u32(0))));
            assertEquals(2, u64(b.map("own_hits").lookup(u32(0))));

            assertTrue(vm.pins().unpin(path));
            LoadedObject c = vm.load(MapKernelSupport.object("maps_pin_a"));
            assertNotSame(a.map("shared_hits"), c.map("shared_hits"), "after an unpin the next load creates anew");
            assertEquals(0, u64(c.map("shared_hits").lookup(u32(0))));
        }
    }

    @Test
    void anotherVmDoesNotSeeThePin() throws Exception {
        try (EbpfVm one = EbpfVm.referenceInterpreter(); EbpfVm two = EbpfVm.referenceInterpreter()) {
            BpfObject obj = MapKernelSupport.object("maps_pin_a");
            assertNotSame(one.load(obj).map("shared_hits"), two.load(obj).map("shared_hits"));
        }
    }

    @Test
    void anIncompatiblePinnedMapFailsTheLoad() throws Exception {
        MapPins pins = new MapPins();
        MapSpec first = new MapSpec("m", BpfMap.TYPE_ARRAY, 4, 8, 2, 0, 1, MapSpec.Kind.BTF_DEFINED, null, -1,
                java.util.Map.of(), 0, 0);
        MapSpec bigger = new MapSpec("m", BpfMap.TYPE_ARRAY, 4, 8, 3, 0, 1, MapSpec.Kind.BTF_DEFINED, null, -1,
                java.util.Map.of(), 0, 0);
        assertEquals(false, pins.reuseOrCreate("/pins/m", first, List.of()).reused());
        assertEquals(true, pins.reuseOrCreate("/pins/m", first, List.of()).reused());
        assertEquals(false, pins.reuseOrCreate("/other/m", bigger, List.of()).reused(), "another pin root");
        MapException e = assertThrows(MapException.class, () -> pins.reuseOrCreate("/pins/m", bigger, List.of()));
        assertEquals(MapException.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("couldn't reuse pinned map '/pins/m'") && e.getMessage().contains("max_entries 3"),
                e.getMessage());
    }

    @Test
    void aFailedLoadUnpinsWhatItPinned() throws Exception {
        BpfObject good = MapKernelSupport.object("maps_pin_a");
        // the same object with a program that refers to a map index it does not have
        var broken = new dev.tcxsim.vm.elf.ProgramSpec("broken", "tc", 3, 0, new long[] {
            dev.tcxsim.vm.isa.Op.make(dev.tcxsim.vm.isa.Op.LD_IMM64, 1, dev.tcxsim.vm.isa.Op.PSEUDO_MAP_FD, 0, 99), 0,
            dev.tcxsim.vm.isa.Op.make(dev.tcxsim.vm.isa.Op.ALU64 | dev.tcxsim.vm.isa.Op.MOV | dev.tcxsim.vm.isa.Op.K,
                    0, 0, 0, 0),
            dev.tcxsim.vm.isa.Op.make(dev.tcxsim.vm.isa.Op.JMP | dev.tcxsim.vm.isa.Op.EXIT, 0, 0, 0, 0)},
                List.of(), List.of(), List.of());
        BpfObject bad = new BpfObject(good.name(), good.license(), good.kernelVersion(), good.maps(), List.of(broken),
                good.btf(), good.ignoredSections(), good.pinRootPath(), good.externs());
        try (EbpfVm vm = EbpfVm.referenceInterpreter()) {
            assertThrows(VerifierException.class, () -> vm.load(bad));
            assertTrue(vm.pins().names().isEmpty(), "libbpf unpins the maps a failed load pinned");
        }
    }

    @Test
    void hashFlagsAsTheKernel() throws Throwable {
        int[][] cases = {
            {BpfMap.TYPE_HASH, BpfMap.BPF_F_NO_PREALLOC}, {BpfMap.TYPE_PERCPU_HASH, BpfMap.BPF_F_NO_PREALLOC},
            {BpfMap.TYPE_LRU_HASH, BpfMap.BPF_F_NO_PREALLOC}, {BpfMap.TYPE_LRU_PERCPU_HASH, BpfMap.BPF_F_NO_PREALLOC},
            {BpfMap.TYPE_LRU_HASH, HashMapBpf.BPF_F_NO_COMMON_LRU}, {BpfMap.TYPE_HASH, HashMapBpf.BPF_F_NO_COMMON_LRU},
            {BpfMap.TYPE_LRU_PERCPU_HASH, HashMapBpf.BPF_F_NO_COMMON_LRU}, {BpfMap.TYPE_HASH, 0x20000},
            {BpfMap.TYPE_HASH, BpfMap.BPF_F_RDONLY_PROG | BpfMap.BPF_F_WRONLY_PROG},
        };
        List<Integer> sim = new ArrayList<>();
        for (int[] c : cases) {
            try {
                BpfMap.create(MapSpec.of("h", c[0], 4, 8, 4, c[1]));
                sim.add(0);
            } catch (MapException e) {
                sim.add(-e.errno());
            }
        }
        assertEquals(List.of(0, 0, -MapException.ENOTSUPP, -MapException.ENOTSUPP, 0, -MapException.EINVAL, 0,
                -MapException.EINVAL, -MapException.EINVAL), sim);
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        List<Integer> kernel = new ArrayList<>();
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            for (int[] c : cases) {
                int fd = k.tryCreateMap(c[0], 4, 8, 4, c[1], 0);
                kernel.add(Math.min(fd, 0));
            }
        }
        assertEquals(kernel, sim);
    }

    @Test
    void lruPercpuHashEvictsAndKeepsOneValuePerCpu() throws Exception {
        BpfMap m = BpfMap.create(MapSpec.of("l", BpfMap.TYPE_LRU_PERCPU_HASH, 4, 8, 2, 0));
        int stride = 8;
        byte[] both = new byte[BpfMap.NR_CPUS * stride];
        both[0] = 1;
        both[stride] = 2;
        m.update(u32(1), both, BpfMap.BPF_ANY);
        assertArrayEquals(both, m.lookup(u32(1)), "one value per CPU on the syscall side");
        assertEquals(0, m.programUpdate(u32(2), u64(7), BpfMap.BPF_ANY, 1));
        byte[] fromCpu1 = m.lookup(u32(2));
        assertEquals(0, u64(java.util.Arrays.copyOfRange(fromCpu1, 0, 8)), "a program's insert zeroes other CPUs");
        assertEquals(7, u64(java.util.Arrays.copyOfRange(fromCpu1, 8, 16)));
        m.lookup(u32(1));
        assertEquals(0, m.programUpdate(u32(3), u64(9), BpfMap.BPF_ANY, 0), "a full LRU map evicts instead of E2BIG");
        assertEquals(2, ((HashMapBpf) m).size());
    }

    /** BPF_F_RDONLY_PROG: the kernel refuses program stores and map_update_elem at load; the simulator faults the store. */
    @Test
    void readOnlyForProgramsAsTheKernel() throws Throwable {
        MapSpec ro = MapSpec.of("ro", BpfMap.TYPE_ARRAY, 4, 8, 1, BpfMap.BPF_F_RDONLY_PROG);
        long[] store = new dev.tcxsim.vm.support.Asm().st(dev.tcxsim.vm.isa.Op.W, 10, -4, 0).mov64r(2, 10)
                .alu64(dev.tcxsim.vm.isa.Op.ADD, 2, -4).ldMap(1, 0).call(1).jmp(dev.tcxsim.vm.isa.Op.JEQ, 0, 0, "out")
                .st(dev.tcxsim.vm.isa.Op.DW, 0, 0, 5).label("out").ret(0).build();
        RunResult r = Modes.run(Modes.Mode.REFERENCE, store, Modes.packet(64), RunEnv.DEFAULT, ro).result();
        assertTrue(r.fault() != null && r.fault().contains("BPF_F_RDONLY_PROG"), String.valueOf(r.fault()));
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int fd = k.createMap(BpfMap.TYPE_ARRAY, 4, 8, 1, BpfMap.BPF_F_RDONLY_PROG, 0, 0);
            KernelBpf.BpfError e = assertThrows(KernelBpf.BpfError.class, () -> k.loadProgram(store, fd));
            assertTrue(e.getMessage().contains("write into map forbidden"), e.getMessage());
        }
    }
}
