package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.support.Asm;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.tcxsim.vm.support.Asm.R1;
import static dev.tcxsim.vm.support.Asm.R6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bpf_spin_lock: testdata/progs/cb_spinlock.c from several threads at once, its rules, and the kernel. */
class SpinLockTest {
    private static final int THREADS = 4, RUNS = 3000;

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void threadsDoNotLoseUpdates(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(CbObjects.object("cb_spinlock"));
        LoadedProgram p = obj.program("locked_count");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<String>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int len = 60 + t;
                Callable<String> job = () -> {
                    for (int i = 0; i < RUNS; i++) {
                        RunResult r = p.run(new SkBuff(CbObjects.packet(len)), RunEnv.DEFAULT);
                        if (r.fault() != null) {
                            return r.fault();
                        }
                    }
                    return null;
                };
                done.add(pool.submit(job));
            }
            for (Future<String> f : done) {
                assertNull(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        byte[] v = obj.map("counters").lookup(new byte[4]);
        assertEquals(THREADS * RUNS, CbObjects.u64(v, 1), "runs");
        assertEquals((long) RUNS * (60 + 61 + 62 + 63), CbObjects.u64(v, 2), "total");
        assertEquals(0, CbObjects.u64(v, 0), "the lock is free afterwards");
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void sameAsTheKernel(Modes.Mode mode) throws Throwable {
        CbObjects.assumeKernel();
        BpfObject obj = CbObjects.object("cb_spinlock");
        CbObjects.KernelRun k = CbObjects.runKernel(obj, "locked_count", CbObjects.packet(70), "counters", n -> 0);
        CbObjects.SimRun s = CbObjects.runSim(mode, obj, "locked_count", CbObjects.packet(70));
        assertEquals(k.outcome().retval(), s.result().returnValue());
        assertEquals(1, s.result().returnValue());
        byte[] sim = s.value("counters", new byte[4]);
        for (int i = 0; i < 3; i++) {
            assertEquals(CbObjects.u64(k.value(), i), CbObjects.u64(sim, i), "u64 #" + i + " of the value");
        }
    }

    private static RunResult runRaw(Modes.Mode mode, List<BpfMap> maps, Asm program) throws Exception {
        LoadedProgram p = Modes.vm(mode).loadRaw("lock", maps, program.build());
        return p.run(new SkBuff(CbObjects.packet(64)), RunEnv.DEFAULT);
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void lockRulesTheVerifierWouldCheck(Modes.Mode mode) throws Exception {
        List<BpfMap> maps = Modes.maps(MapSpec.of("locks", BpfMap.TYPE_ARRAY, 4, 16, 1, 0));
        RunResult twice = runRaw(mode, maps, new Asm().ldMapValue(R6, 0, 0).mov64r(R1, R6).call(SpinLockHelpers.SPIN_LOCK)
                .mov64r(R1, R6).call(SpinLockHelpers.SPIN_LOCK).ret(0));
        assertNotNull(twice.fault());
        assertTrue(twice.fault().contains("still holds"), twice.fault());

        RunResult stray = runRaw(mode, maps, new Asm().ldMapValue(R1, 0, 0).call(SpinLockHelpers.SPIN_UNLOCK).ret(0));
        assertNotNull(stray.fault());
        assertTrue(stray.fault().contains("does not hold"), stray.fault());

        RunResult leak = runRaw(mode, maps, new Asm().ldMapValue(R1, 0, 0).call(SpinLockHelpers.SPIN_LOCK).ret(0));
        assertNull(leak.fault(), "the exit with the lock held is noticed by the next lock");
        RunResult next = runRaw(mode, maps, new Asm().ldMapValue(R1, 0, 0).call(SpinLockHelpers.SPIN_LOCK)
                .ldMapValue(R1, 0, 0).call(SpinLockHelpers.SPIN_UNLOCK).ret(0));
        assertNotNull(next.fault());
        assertTrue(next.fault().contains("still holds"), next.fault());
        RunResult after = runRaw(mode, maps, new Asm().ldMapValue(R1, 0, 0).call(SpinLockHelpers.SPIN_LOCK)
                .ldMapValue(R1, 0, 0).call(SpinLockHelpers.SPIN_UNLOCK).ret(5));
        assertNull(after.fault(), "the leaked lock was released");
        assertEquals(5, after.returnValue());
    }
}
