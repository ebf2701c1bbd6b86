package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.LoadedObjectFds;
import dev.tcxsim.vm.elf.ElfLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the loader found in an object survives the simulated kernel's own relocation pass
 * (SimProcess rewrites map references into fds and rebuilds each program): kfunc calls and
 * poisoned CO-RE relocations.
 */
class ObjectFeaturesTest {
    private static final Path PROGS = Path.of("..", "testdata", "progs").toAbsolutePath().normalize();

    @Test
    void anObjectCallingKfuncsLoads() throws Exception {
        try (SimKernel k = new SimKernel()) {
            BpfProcess p = k.process("t");
            LoadedObjectFds fds = p.loadObject(ElfLoader.load(PROGS.resolve("cb_dynptr.o")));
            assertFalse(fds.progFds().isEmpty(), "cb_dynptr.o's programs call bpf_dynptr_from_skb: " + fds);
        }
    }

    @Test
    void anObjectWithADeadPoisonedRelocationLoads() throws Exception {
        var obj = ElfLoader.load(PROGS.resolve("core_skb.o"));
        assertTrue(obj.programs().stream().anyMatch(prog -> !prog.poisoned().isEmpty()),
                "core_skb.o has a relocation no kernel can satisfy");
        try (SimKernel k = new SimKernel()) {
            LoadedObjectFds fds = k.process("t").loadObject(obj);
            assertTrue(fds.progFds().containsKey("core_skb"), fds.toString());
        }
    }
}
