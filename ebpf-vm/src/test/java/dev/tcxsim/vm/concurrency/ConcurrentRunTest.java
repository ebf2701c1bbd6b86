package dev.tcxsim.vm.concurrency;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.helpers.Helpers;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.support.Asm;
import dev.tcxsim.vm.support.Modes;
import dev.tcxsim.vm.truffle.EbpfEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.tcxsim.vm.isa.Op.*;
import static dev.tcxsim.vm.support.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** One loaded program run from 4 threads at once: every run is right and the shared counter loses no update. */
class ConcurrentRunTest {
    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void fourThreadsShareOneProgram(Modes.Mode mode) throws Exception {
        shared(Modes.vm(mode), 500);
    }

    /** The simulator's own mode: tiered compilation in the background while four threads keep running. */
    @org.junit.jupiter.api.Test
    void fourThreadsWhileTheProgramCompilesInTheBackground() throws Exception {
        try (EbpfVm vm = new EbpfVm(EbpfEngine.Mode.DEFAULT)) {
            shared(vm, 3000);
        }
    }

    private static void shared(EbpfVm vm, int runs) throws Exception {
        List<BpfMap> maps = Modes.maps(MapSpec.of("n", BpfMap.TYPE_ARRAY, 4, 8, 1, 0));
        // n[0] += 1 atomically; mark = len * 3; return len + a stack round trip
        long[] insns = new Asm().mov64r(R6, R1).st(W, R10, -4, 0).mov64r(R2, R10).alu64(ADD, R2, -4).ldMap(R1, 0)
                .call(Helpers.MAP_LOOKUP_ELEM).jmp(JEQ, R0, 0, "out").mov64(R1, 1).atomic(DW, R0, R1, 0, ADD)
                .label("out").ldx(W, R7, R6, SkBuffLayout.LEN).mov64r(R8, R7).alu64(MUL, R8, 3)
                .stx(W, R6, R8, SkBuffLayout.MARK).stx(DW, R10, R7, -16).ldx(DW, R0, R10, -16).exit().build();
        LoadedProgram p = vm.loadRaw("shared", maps, insns);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int len = 60 + t;
                done.add(pool.submit((Callable<Integer>) () -> {
                    for (int i = 0; i < runs; i++) {
                        SkBuff skb = new SkBuff(Modes.packet(len));
                        RunResult r = p.run(skb, RunEnv.DEFAULT);
                        assertNull(r.fault(), r.fault());
                        assertEquals(len, r.r0());
                        assertEquals(len * 3, skb.mark());
                    }
                    return runs;
                }));
            }
            for (Future<Integer> f : done) {
                assertEquals(runs, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals((long) threads * runs,
                ByteBuffer.wrap(maps.get(0).lookup(new byte[4])).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }
}
