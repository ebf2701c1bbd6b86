package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.maps.RingBufMap;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ring buffer helpers with bpf_ringbuf_query (testdata/progs/cb_ringbuf.c), the records read from Java, and the kernel. */
class RingbufTest {
    private static final int LEN = 70, FIELDS = 9;

    private static long[] results(byte[] value) {
        return OutFields.u64s(value, FIELDS);
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void queryAndRecords(Modes.Mode mode) throws Exception {
        BpfObject obj = CbObjects.object("cb_ringbuf");
        byte[] packet = CbObjects.packet(LEN);
        CbObjects.SimRun s = CbObjects.runSim(mode, obj, "ringbuf_rules", packet);
        // two records: 10 + 8 header -> 24 bytes, 20 + 8 -> 32 bytes; nothing consumed yet
        assertArrayEquals(new long[] {1, 0, 0, -22, 56, 4096, 0, 56, 0}, results(s.value("out", new byte[4])));
        List<byte[]> records = new ArrayList<>();
        ((RingBufMap) s.loaded().map("rb")).drain(records::add);
        assertEquals(2, records.size());
        assertArrayEquals(Arrays.copyOf(packet, 10), records.get(0));
        byte[] second = new byte[20];
        for (int i = 0; i < 20; i++) {
            second[i] = (byte) (LEN + i);
        }
        assertArrayEquals(second, records.get(1));
        assertEquals(56, ((RingBufMap) s.loaded().map("rb")).consumerPos(), "the reader consumed both");
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void sameAsTheKernel(Modes.Mode mode) throws Throwable {
        CbObjects.assumeKernel();
        BpfObject obj = CbObjects.object("cb_ringbuf");
        CbObjects.KernelRun k = CbObjects.runKernel(obj, "ringbuf_rules", CbObjects.packet(LEN), "out", n -> 0);
        CbObjects.SimRun s = CbObjects.runSim(mode, obj, "ringbuf_rules", CbObjects.packet(LEN));
        assertEquals(k.outcome().retval(), s.result().returnValue());
        assertArrayEquals(results(k.value()), results(s.value("out", new byte[4])));
    }
}
