package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.support.KernelObject;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.tcxsim.vm.maps.MapKernelSupport.u32;
import static dev.tcxsim.vm.maps.MapKernelSupport.u64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tail calls: the shared limit across bpf-to-bpf frames, the stack rule, targets from other objects, races. */
class TailCallTest {
    private static byte[] packet(int slot) {
        byte[] p = Modes.packet(64);
        p[0] = (byte) slot;
        return p;
    }

    private static RunResult run(LoadedProgram p, int slot) {
        SkBuff skb = new SkBuff(packet(slot));
        skb.setIfindex(1);
        RunResult r = p.run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), r.fault());
        return r;
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void thirtyThreeTailCallsPerRun(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(MapKernelSupport.object("maps_tailcall"));
        assertEquals(1, run(obj.program("loop_main"), 0).returnValue(), "the 34th run's tail call fails");
        assertEquals(34, u64(obj.map("runs").lookup(u32(0))), "the first run and 33 tail calls");
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void aSubFunctionsTailCallReturnsToItsCaller(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(MapKernelSupport.object("maps_tailcall"));
        assertEquals(1 + 5 * 100, run(obj.program("chain"), 0).returnValue(),
                "five runs, each adding 100 to the r0 its tail-called successor returned");
        assertEquals(5, u64(obj.map("runs").lookup(u32(1))));
    }

    @Test
    void tailCallsSameAsTheKernel() throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        BpfObject obj = MapKernelSupport.object("maps_tailcall");
        List<Long> kernel = new ArrayList<>();
        try (KernelObject k = new KernelObject(obj)) {
            int loop = k.loadProgram("loop_main", name -> 0);
            int chain = k.loadProgram("chain", name -> 0);
            int stamp = k.loadProgram("stamp", name -> 0);
            assertEquals(0, k.update("jump", u32(0), u32(loop)));
            assertEquals(0, k.update("jump", u32(1), u32(stamp)));
            assertEquals(0, k.update("jump", u32(2), u32(chain)));
            kernel.add((long) k.testRun(loop, packet(0)).retval());
            kernel.add((long) k.testRun(chain, packet(0)).retval());
            kernel.add((long) k.testRun(chain, packet(1)).retval());
            kernel.add((long) k.testRun(chain, packet(3)).retval());
            kernel.add(u64(k.lookup("runs", u32(0))));
            kernel.add(u64(k.lookup("runs", u32(1))));
        }
        for (Modes.Mode mode : List.of(Modes.Mode.REFERENCE, Modes.Mode.INTERPRETED, Modes.Mode.COMPILED)) {
            LoadedObject loaded = Modes.vm(mode).load(obj);
            ((ProgArrayMap) loaded.map("jump")).set(1, loaded.program("stamp"));
            List<Long> sim = new ArrayList<>();
            sim.add((long) run(loaded.program("loop_main"), 0).returnValue());
            sim.add((long) run(loaded.program("chain"), 0).returnValue());
            sim.add((long) run(loaded.program("chain"), 1).returnValue());
            sim.add((long) run(loaded.program("chain"), 3).returnValue());
            sim.add(u64(loaded.map("runs").lookup(u32(0))));
            sim.add(u64(loaded.map("runs").lookup(u32(1))));
            assertEquals(kernel, sim, mode.toString());
        }
    }

    /** The kernel refuses a tail call below callers holding 256 bytes or more of stack; so does the simulator. */
    @Test
    void callerStackBelowATailCallAsTheKernel() throws Throwable {
        BpfObject obj = dev.tcxsim.vm.elf.ElfLoader.load(MapKernelSupport.path("maps_tailcall"),
                dev.tcxsim.vm.elf.LoadOptions.DEFAULTS.withUnknownSectionsAsTc(true));
        List<BpfMap> maps = new ArrayList<>();
        for (MapSpec m : obj.maps()) {
            maps.add(BpfMap.create(m, obj.maps()));
        }
        EbpfVm vm = Modes.vm(Modes.Mode.REFERENCE);
        VerifierException e = assertThrows(VerifierException.class, () -> vm.loadProgram(obj.program("deep"), maps));
        assertTrue(e.getMessage().contains("tail_calls are not allowed when call stack of previous frames is 320 "
                + "bytes. Too large"), e.getMessage());
        vm.loadProgram(obj.program("shallow"), maps);
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        try (KernelObject k = new KernelObject(obj)) {
            KernelBpf.BpfError refused = assertThrows(KernelBpf.BpfError.class, () -> k.loadProgram("deep", n -> 0));
            assertTrue(refused.getMessage().contains("tail_calls are not allowed when call stack of previous frames "
                    + "is 320 bytes. Too large"), refused.getMessage());
            k.loadProgram("shallow", n -> 0);
        }
    }

    /** A prog array of one object, filled from Java with a program of another object. */
    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void tailCallIntoAnotherObject(Modes.Mode mode) throws Exception {
        EbpfVm vm = Modes.vm(mode);
        LoadedObject chainObj = vm.load(MapKernelSupport.object("maps_tailcall"));
        LoadedObject other = vm.load(MapKernelSupport.object("tailcall"));
        ProgArrayMap jump = (ProgArrayMap) chainObj.map("jump");
        jump.update(u32(1), u32(other.program("stage_two").id()), BpfMap.BPF_ANY);
        SkBuff skb = new SkBuff(packet(1));
        RunResult r = chainObj.program("chain").run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), r.fault());
        assertEquals(100, r.returnValue(), "stage_two returned TC_ACT_OK (0) to hop's caller, which added 100");
        assertEquals(0x200, skb.mark(), "stage_two of the other object ran");
    }

    /**
     * Threads run packets through slot 1 while another thread swaps slot 1 between two programs:
     * every run ends in one of the two, never in a fault or a mix.
     */
    @ParameterizedTest
    @EnumSource(value = Modes.Mode.class, names = {"REFERENCE", "COMPILED"})
    void slotUpdatesRaceWithRuns(Modes.Mode mode) throws Exception {
        EbpfVm vm = Modes.vm(mode);
        LoadedObject obj = vm.load(MapKernelSupport.object("maps_tailcall"));
        LoadedObject other = vm.load(MapKernelSupport.object("tailcall"));
        ProgArrayMap jump = (ProgArrayMap) obj.map("jump");
        LoadedProgram stamp = obj.program("stamp");
        LoadedProgram stageTwo = other.program("stage_two");
        jump.set(1, stamp);
        int runners = 3;
        int runsEach = 3000;
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(runners + 1);
        try {
            Future<Integer> swapper = pool.submit(() -> {
                start.await();
                int swaps = 0;
                while (!done.get()) {
                    jump.set(1, swaps % 3 == 2 ? null : swaps % 2 == 0 ? stageTwo : stamp);
                    swaps++;
                }
                return swaps;
            });
            List<Future<long[]>> results = new ArrayList<>();
            for (int t = 0; t < runners; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    long[] seen = new long[3];
                    for (int i = 0; i < runsEach; i++) {
                        SkBuff skb = new SkBuff(packet(1));
                        RunResult r = obj.program("chain").run(skb, RunEnv.DEFAULT);
                        if (r.fault() != null) {
                            throw new AssertionError("run " + i + " faulted: " + r.fault());
                        }
                        if (r.returnValue() == 107 && skb.mark() == 0) {
                            seen[0]++; // stamp (7) + 100
                        } else if (r.returnValue() == 100 && skb.mark() == 0x200) {
                            seen[1]++; // stage_two (TC_ACT_OK) + 100, mark set by stage_two
                        } else if (r.returnValue() == 101 && skb.mark() == 0) {
                            seen[2]++; // empty slot: hop's failed tail call returned 1
                        } else {
                            throw new AssertionError("run " + i + " ended neither in the old nor the new target: r0 "
                                    + r.returnValue() + ", mark 0x" + Integer.toHexString(skb.mark()));
                        }
                    }
                    return seen;
                }));
            }
            start.countDown();
            long total = 0;
            for (Future<long[]> f : results) {
                long[] seen = f.get();
                total += seen[0] + seen[1] + seen[2];
            }
            done.set(true);
            assertTrue(swapper.get() > 0);
            assertEquals((long) runners * runsEach, total);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
    }
}
