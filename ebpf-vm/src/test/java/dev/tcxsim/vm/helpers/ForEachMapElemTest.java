package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** bpf_for_each_map_elem: testdata/progs/cb_foreach.c in every mode against its expected values and the real kernel. */
class ForEachMapElemTest {
    private static final int[] LENGTHS = {64, 79};

    /** What cb_foreach.c's results struct must hold for a packet of {@code len} bytes. */
    private static long[] expected(long len) {
        long stop = (len & 3) + 1;
        return new long[] {8, 28, 36 * len, stop, stop, 4 * len + 1000, 5, 60, 5 * len + 60, 1, 5, 0, -22};
    }

    private static long[] results(byte[] value) {
        return OutFields.u64s(value, 13);
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void arrayAndHashWalks(Modes.Mode mode) throws Exception {
        BpfObject obj = CbObjects.object("cb_foreach");
        for (int len : LENGTHS) {
            CbObjects.SimRun r = CbObjects.runSim(mode, obj, "foreach_rules", CbObjects.packet(len));
            assertEquals(0, r.result().returnValue());
            assertArrayEquals(expected(len), results(r.value("out", new byte[4])), "len " + len);
        }
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void sameAsTheKernel(Modes.Mode mode) throws Throwable {
        CbObjects.assumeKernel();
        BpfObject obj = CbObjects.object("cb_foreach");
        for (int len : LENGTHS) {
            CbObjects.KernelRun k = CbObjects.runKernel(obj, "foreach_rules", CbObjects.packet(len), "out", n -> 0);
            CbObjects.SimRun s = CbObjects.runSim(mode, obj, "foreach_rules", CbObjects.packet(len));
            assertEquals(k.outcome().retval(), s.result().returnValue());
            assertArrayEquals(results(k.value()), results(s.value("out", new byte[4])), "len " + len);
        }
    }
}
