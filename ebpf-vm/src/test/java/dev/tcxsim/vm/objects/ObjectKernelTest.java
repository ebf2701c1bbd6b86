package dev.tcxsim.vm.objects;

import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.elf.Relocation;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The committed C programs on the real kernel (BPF_PROG_TEST_RUN) and on the simulator: the same
 * verdict, the same packet afterwards and the same value 0 of every array map. Runs only as root
 * on Linux 6.6 or newer.
 */
class ObjectKernelTest {
    private static BpfObject object(String name) throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("testdata/progs"))) {
            dir = dir.getParent();
        }
        return ElfLoader.load(dir.resolve("testdata/progs/" + name + ".o"));
    }

    /** The program's instructions with each map reference's first imm set to its map index (KernelBpf's convention). */
    private static long[] withMapIndexes(ProgramSpec p) {
        long[] insns = p.insns().clone();
        for (Relocation r : p.relocations()) {
            insns[r.insnIndex()] = Op.withImm(insns[r.insnIndex()], r.mapIndex());
        }
        return insns;
    }

    @ParameterizedTest(name = "{0}.{1} on packet {2}")
    @CsvSource({"verdict,verdict,plain", "calls,sum_calls,plain", "calls,mark_calls,plain", "nat,dnat,udp",
        "nat,dnat,plain", "parser,parse_flow,udp", "parser,parse_flow,plain"})
    void sameAsTheKernel(String objectName, String program, String packetKind) throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        BpfObject obj = object(objectName);
        byte[] packet = packetKind.equals("udp") ? ObjectTest.udpFrame() : Modes.packet(64);
        KernelBpf.KernelMap[] kmaps = obj.maps().stream()
                .map(m -> new KernelBpf.KernelMap(m.type(), m.keySize(), m.valueSize(), m.maxEntries(),
                        m.flags(), m.initialData()))
                .toArray(KernelBpf.KernelMap[]::new);
        KernelBpf.Outcome k = KernelBpf.run(withMapIndexes(obj.program(program)), packet, kmaps);

        LoadedObject loaded = Modes.vm(Modes.Mode.COMPILED).load(obj);
        SkBuff skb = new SkBuff(packet);
        skb.setIfindex(1);
        RunResult r = loaded.program(program).run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), r.fault());
        assertEquals(k.retval(), r.returnValue(), "verdict");
        assertArrayEquals(k.packet(), skb.data(), "packet after the run");
        for (int i = 0; i < kmaps.length; i++) {
            if (obj.maps().get(i).type() == 2) {
                assertArrayEquals(k.mapValuesAtKey0()[i], loaded.maps().get(i).lookup(new byte[4]),
                        "value 0 of map " + obj.maps().get(i).name());
            }
        }
    }
}
