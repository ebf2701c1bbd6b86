package dev.tcxsim.vm.objects;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.truffle.EbpfEngine;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A program keeps the maps it uses alive, even when nothing else holds its object. */
class MapLifetimeTest {
    @Test
    void aProgramOutlivesItsLoadedObjectWithItsMaps() throws Exception {
        Path nat = Path.of("..", "testdata", "progs", "nat.o");
        try (EbpfVm vm = new EbpfVm(EbpfEngine.Mode.INTERPRETED)) {
            var object = vm.load(ElfLoader.load(nat));
            LoadedProgram prog = object.program("dnat");
            WeakReference<Object> objectRef = new WeakReference<>(object);
            object = null;
            for (int i = 0; i < 20 && objectRef.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertNull(objectRef.get(), "the loaded object should be collectable once unreferenced");
            byte[] frame = new byte[60];
            frame[12] = 0x08;  // IPv4
            frame[14] = 0x45;
            RunResult r = prog.run(new SkBuff(frame), new RunEnv() {
            });
            assertNull(r.fault(), "the program's .rodata map was collected: " + r.fault());
            assertTrue(r.insnsExecuted() > 0);
        }
    }
}
