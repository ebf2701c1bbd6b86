package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** bpf_snprintf and bpf_strncmp: testdata/progs/cb_strings.c in every mode, against expected values and the kernel. */
class StringHelpersTest {
    private static final int[] LENGTHS = {64, 93};
    private static final int LONGS = 9, FULL = 96, TRUNC = 8;

    private static String expectedText(long len) {
        return String.format("len=%d hex=%x/%X neg=%d big=%d s=veth c=%c %%|%-5d|%05d", len, len * 4099, len * 4099,
                -len, len << 40, (char) ('A' + (len & 7)), len & 15, len);
    }

    private static String cString(byte[] value, int at, int max) {
        int end = at;
        while (end < at + max && value[end] != 0) {
            end++;
        }
        return new String(value, at, end - at, StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void snprintfAndStrncmp(Modes.Mode mode) throws Exception {
        BpfObject obj = CbObjects.object("cb_strings");
        for (int len : LENGTHS) {
            CbObjects.SimRun r = CbObjects.runSim(mode, obj, "string_rules", CbObjects.packet(len));
            byte[] v = r.value("out", new byte[4]);
            String text = expectedText(len);
            assertEquals(text, cString(v, 8 * LONGS, FULL));
            assertEquals(text.length() + 1, CbObjects.u64(v, 0), "whole length + NUL");
            assertEquals(text.substring(0, TRUNC - 1), cString(v, 8 * LONGS + FULL, TRUNC), "truncated, NUL-terminated");
            assertEquals(text.length() + 1, CbObjects.u64(v, 1), "a truncated result still counts the whole text");
            assertEquals(("n=" + len).length() + 1, CbObjects.u64(v, 2), "str_size 0");
            assertEquals(-22, CbObjects.u64(v, 3), "13 arguments");
            assertArrayEquals(new long[] {0, -1, 1, 0, -1}, new long[] {CbObjects.u64(v, 4), CbObjects.u64(v, 5),
                CbObjects.u64(v, 6), CbObjects.u64(v, 7), CbObjects.u64(v, 8)}, "strncmp results");
        }
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void sameAsTheKernel(Modes.Mode mode) throws Throwable {
        CbObjects.assumeKernel();
        BpfObject obj = CbObjects.object("cb_strings");
        for (int len : LENGTHS) {
            CbObjects.KernelRun k = CbObjects.runKernel(obj, "string_rules", CbObjects.packet(len), "out", n -> 0);
            CbObjects.SimRun s = CbObjects.runSim(mode, obj, "string_rules", CbObjects.packet(len));
            assertEquals(k.outcome().retval(), s.result().returnValue());
            byte[] sim = s.value("out", new byte[4]);
            assertArrayEquals(Arrays.copyOf(k.value(), 8 * LONGS), Arrays.copyOf(sim, 8 * LONGS), "return values");
            assertEquals(cString(k.value(), 8 * LONGS, FULL), cString(sim, 8 * LONGS, FULL));
            assertEquals(cString(k.value(), 8 * LONGS + FULL, TRUNC), cString(sim, 8 * LONGS + FULL, TRUNC));
        }
    }
}
