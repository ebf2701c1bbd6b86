package dev.tcxsim.tcx;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TcxVerdictTest {
    // Rows checked on Linux 6.18 (tcx-semantics.md section 9, items 14-19).
    @ParameterizedTest
    @CsvSource({
            "-1, NEXT, true, true",
            "0, PASS, false, false",
            "2, DROP, false, false",
            "7, REDIRECT, false, false",
            "1, UNKNOWN, false, true",
            "4, UNKNOWN, false, true",
            "8, UNKNOWN, false, true",
            "42, UNKNOWN, false, true",
            "-2, UNKNOWN, false, true",
    })
    void returnCodesMapAsTheKernelMapsThem(int rc, TcxVerdict expected, boolean continues, boolean classic) {
        TcxVerdict v = TcxVerdict.of(rc);
        assertEquals(expected, v);
        assertEquals(continues, v.continuesChain());
        assertEquals(classic, v.fallsThroughToClassic());
    }
}
