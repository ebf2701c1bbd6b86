package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.maps.PerfEventArrayMap;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** bpf_perf_event_output (testdata/progs/cb_perf.c): samples read from Java, and the errors as on the kernel. */
class PerfEventOutputTest {
    private static final int LEN = 72, FIELDS = 5;

    private static long[] results(byte[] value) {
        return OutFields.u64s(value, FIELDS);
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void samplesReachTheReaders(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(CbObjects.object("cb_perf"));
        PerfEventArrayMap events = (PerfEventArrayMap) obj.map("events");
        events.openReader(1); // the CPU the run says it is on
        byte[] packet = CbObjects.packet(LEN);
        RunResult r = obj.program("perf_output").run(new SkBuff(packet), new RunEnv() {
            @Override
            public int cpu() {
                return 1;
            }
        });
        assertNull(r.fault(), r.fault());
        assertArrayEquals(new long[] {0, 0, -7, -22, -14}, results(obj.map("out").lookup(new byte[4])));
        byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0xc0ffee00L + LEN).array();
        List<byte[]> samples = events.drain(1);
        assertEquals(2, samples.size(), "BPF_F_CURRENT_CPU (cpu 1) and index 1");
        assertArrayEquals(data, samples.get(0));
        byte[] withCtx = Arrays.copyOf(data, 8 + 14);
        System.arraycopy(packet, 0, withCtx, 8, 14);
        assertArrayEquals(withCtx, samples.get(1));
        assertEquals(List.of(), events.drain(0));
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void withoutReadersAsInTheKernel(Modes.Mode mode) throws Throwable {
        BpfObject obj = CbObjects.object("cb_perf");
        CbObjects.SimRun s = CbObjects.runSim(mode, obj, "perf_output", CbObjects.packet(LEN));
        assertArrayEquals(new long[] {-2, -2, -7, -22, -14}, results(s.value("out", new byte[4])));
        if (dev.tcxsim.vm.support.KernelBpf.available()) {
            CbObjects.KernelRun k = CbObjects.runKernel(obj, "perf_output", CbObjects.packet(LEN), "out", n -> 0);
            assertArrayEquals(results(k.value()), results(s.value("out", new byte[4])));
        }
    }
}
