package dev.tcxsim.vm.golden;

import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.DynamicTest;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Runs golden cases in every mode (and the kernel when available) and checks they all give the expected r0. */
final class GoldenRunner {
    private GoldenRunner() {
    }

    static Stream<DynamicTest> tests(List<GoldenCase> cases) {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    static void check(GoldenCase c) throws Throwable {
        Map<Modes.Mode, Modes.Run> runs = Modes.runAll(c.insns(), c.packet(), RunEnv.DEFAULT, c.maps());
        Modes.Run ref = runs.get(Modes.Mode.REFERENCE);
        for (Modes.Run run : runs.values()) {
            assertNull(run.result().fault(), c.name() + " faulted in " + run.mode());
            assertEquals(c.r0(), run.result().r0(), c.name() + ": r0 in " + run.mode() + " (0x"
                    + Long.toHexString(run.result().r0()) + " vs expected 0x" + Long.toHexString(c.r0()) + ")");
            assertEquals(ref.result().insnsExecuted(), run.result().insnsExecuted(), c.name() + ": instruction count in " + run.mode());
            assertArrayEquals(ref.skb().data(), run.skb().data(), c.name() + ": packet after the run in " + run.mode());
        }
        if (c.kernel() && KernelBpf.available()) {
            KernelBpf.KernelMap[] kmaps = Arrays.stream(c.maps())
                    .map(m -> new KernelBpf.KernelMap(m.type(), m.keySize(), m.valueSize(), m.maxEntries()))
                    .toArray(KernelBpf.KernelMap[]::new);
            KernelBpf.Outcome k = KernelBpf.run(c.insns(), c.packet(), kmaps);
            assertEquals((int) c.r0(), k.retval(), c.name() + ": the kernel's retval");
            assertArrayEquals(ref.skb().data(), k.packet(), c.name() + ": packet after the kernel's run");
            for (int i = 0; i < kmaps.length; i++) {
                assertArrayEquals(k.mapValuesAtKey0()[i], ref.maps().get(i).lookup(new byte[c.maps()[i].keySize()]),
                        c.name() + ": map " + i + " key 0 after the kernel's run");
            }
        }
    }
}
