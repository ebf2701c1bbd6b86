package dev.tcxsim.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UapiTest {
    @Test
    void flagValuesMatchTheUapiHeader() {
        assertEquals(4, Uapi.BPF_F_REPLACE);
        assertEquals(8, Uapi.BPF_F_BEFORE);
        assertEquals(16, Uapi.BPF_F_AFTER);
        assertEquals(32, Uapi.BPF_F_ID);
        assertEquals(8192, Uapi.BPF_F_LINK);
        assertEquals(4 | 8 | 16 | 32 | 8192, Uapi.TCX_FLAG_MASK);
    }

    @Test
    void flagNamesAreReadable() {
        assertEquals("0", Uapi.flagNames(0));
        assertEquals("BEFORE|ID", Uapi.flagNames(Uapi.BPF_F_BEFORE | Uapi.BPF_F_ID));
        assertEquals("AFTER|LINK", Uapi.flagNames(Uapi.BPF_F_AFTER | Uapi.BPF_F_LINK));
        assertEquals("tcx_egress", Uapi.attachTypeName(47));
    }
}
