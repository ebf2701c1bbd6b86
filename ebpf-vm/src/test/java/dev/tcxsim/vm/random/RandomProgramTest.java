package dev.tcxsim.vm.random;

import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test: seeded random programs must give the same r0, instruction count and packet
 * in the Truffle interpreter, Truffle compiled and the reference interpreter, and the same 32-bit
 * result as the kernel when it accepts them. A failure names the seed; replay one seed with
 * {@code -Dtcxsim.seed=N}, run more with {@code -Dtcxsim.randomPrograms=N}.
 */
class RandomProgramTest {
    private static final long BASE_SEED = 0x7c5_1a0L;

    @Test
    void allModesAgree() throws Throwable {
        String one = System.getProperty("tcxsim.seed");
        int count = Integer.getInteger("tcxsim.randomPrograms", 60);
        int kernelChecked = 0;
        String firstRefusal = null;
        for (int i = 0; i < (one != null ? 1 : count); i++) {
            long seed = one != null ? Long.parseLong(one) : BASE_SEED + i;
            long[] insns = RandomPrograms.generate(seed);
            String ctx = "seed " + seed + " (replay with -Dtcxsim.seed=" + seed + ")";
            Map<Modes.Mode, Modes.Run> runs = Modes.runAll(insns, Modes.packet(64), RunEnv.DEFAULT);
            Modes.Run ref = runs.get(Modes.Mode.REFERENCE);
            assertNull(ref.result().fault(), ctx + ": " + ref.result().fault());
            for (Modes.Run r : runs.values()) {
                assertEquals(ref.result().fault(), r.result().fault(), ctx + ": fault in " + r.mode());
                assertEquals(ref.result().r0(), r.result().r0(), ctx + ": r0 in " + r.mode());
                assertEquals(ref.result().insnsExecuted(), r.result().insnsExecuted(), ctx + ": insns in " + r.mode());
            }
            if (KernelBpf.available()) {
                KernelBpf.Outcome k;
                try {
                    k = KernelBpf.run(insns, Modes.packet(64));
                } catch (KernelBpf.BpfError e) {
                    if (firstRefusal == null) {
                        firstRefusal = ctx + ": " + e.getMessage();
                    }
                    continue; // the generator aims at programs the kernel accepts; a refusal is not a disagreement
                }
                assertEquals((int) ref.result().r0(), k.retval(), ctx + ": the kernel's retval");
                kernelChecked++;
            }
        }
        if (KernelBpf.available() && one == null) {
            assertTrue(kernelChecked >= count / 2, "the kernel accepted only " + kernelChecked + " of " + count + " programs; the first refusal: " + firstRefusal);
        }
    }
}
