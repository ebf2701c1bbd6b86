package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A failed object load leaves no fds behind, as bpf_object__load and the real-kernel backend do. */
class LoadObjectCleanupTest {
    @Test
    void aFailedLoadClosesTheMapsAndProgramsItOpened() throws Exception {
        try (SimKernel k = new SimKernel()) {
            BpfProcess p = k.process("t");
            // A prog array whose initial slot names a program the object does not have: the maps and
            // the program are created first, then the slot fails.
            MapSpec progArray = new MapSpec("jmp", 3, 4, 4, 2, 0, 0, MapSpec.Kind.BTF_DEFINED, null, -1,
                    Map.of(0, "missing"), 0, 0);
            ProgramSpec ok = ProgramSpec.raw("ok", 3, 0xb7L, 0x95L);
            BpfObject obj = new BpfObject("broken", "GPL", 0, List.of(progArray), List.of(ok), null);
            int before = p.mapCreate(MapSpec.of("probe", 2, 4, 4, 1, 0));
            assertThrows(BpfException.class, () -> p.loadObject(obj));
            // The next fd handed out is the one right after the probe: nothing was left open.
            int after = p.mapCreate(MapSpec.of("probe2", 2, 4, 4, 1, 0));
            assertEquals(before + 1, after);
        }
    }
}
