package dev.tcxsim.linux.ffm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpfSmokeTest {
    static void requireKernel() {
        dev.tcxsim.linux.RealKernel.require();
    }

    @Test
    void loadsAndRunsATwoInstructionSchedClsProgram() {
        requireKernel();
        BpfSmoke.Outcome outcome = BpfSmoke.loadAndRun(0, 64);
        assertTrue(outcome.ok(), outcome.describe());
        assertEquals(0, outcome.retval());
        assertEquals(64, outcome.dataSizeOut());
    }

    @Test
    void theReturnValueComesFromTheProgram() {
        requireKernel();
        BpfSmoke.Outcome outcome = BpfSmoke.loadAndRun(7, 64);
        assertTrue(outcome.ok(), outcome.describe());
        assertEquals(7, outcome.retval());
    }

    @Test
    void requirementDefaultFollowsUidAndKernel() {
        // With no override, "required" is exactly "root on Linux >= 6.6".
        String saved = System.getProperty(KernelRequirement.PROPERTY);
        try {
            System.setProperty(KernelRequirement.PROPERTY, "auto");
            boolean expected = KernelRequirement.isRoot() && KernelRequirement.atLeast(6, 6);
            assertEquals(expected, KernelRequirement.required());
            System.setProperty(KernelRequirement.PROPERTY, "false");
            assertEquals(false, KernelRequirement.required());
            System.setProperty(KernelRequirement.PROPERTY, "true");
            assertEquals(true, KernelRequirement.required());
        } finally {
            if (saved == null) {
                System.clearProperty(KernelRequirement.PROPERTY);
            } else {
                System.setProperty(KernelRequirement.PROPERTY, saved);
            }
        }
    }
}
