package dev.tcxsim.vm.elf;

import dev.tcxsim.vm.btf.TargetBtf;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel selftests' tc objects in testdata/real open with the loader's libbpf features:
 * sections named for tc (iproute2's rule), CO-RE against the host kernel, kfuncs, XDP programs
 * beside tc ones listed as ignored.
 */
class RealObjectsLoadTest {
    private static Path real() {
        return TestObjects.dir().resolveSibling("real");
    }

    private static BpfObject load(String name) throws Exception {
        return ElfLoader.load(real().resolve(name + ".o"), LoadOptions.DEFAULTS.withUnknownSectionsAsTc(true));
    }

    @Test
    void everyObjectOpensWithTcPrograms() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(real()), "no testdata/real");
        List<Path> objects;
        try (Stream<Path> s = Files.list(real())) {
            objects = s.filter(p -> p.toString().endsWith(".o")).sorted().toList();
        }
        assertFalse(objects.isEmpty());
        for (Path p : objects) {
            BpfObject o = ElfLoader.load(p, LoadOptions.DEFAULTS.withUnknownSectionsAsTc(true));
            assertFalse(o.programs().isEmpty(), p.getFileName().toString());
            assertTrue(o.programs().stream().allMatch(x -> x.progType() == 3), p.getFileName().toString());
        }
    }

    @Test
    void sectionsNamedForTcNeedIproute2sRule() throws Exception {
        BpfObject libbpf = ElfLoader.load(real().resolve("test_tc_tunnel.o"));
        assertTrue(libbpf.programs().isEmpty());
        assertEquals(19, libbpf.ignoredSections().size());
        assertEquals(19, load("test_tc_tunnel").programs().size());
    }

    @Test
    void xdpProgramsBesideTcOnesAreIgnored() throws Exception {
        BpfObject o = load("test_check_mtu");
        assertEquals(List.of("xdp"), o.ignoredSections().stream().map(IgnoredSection::section).toList());
        assertEquals(6, o.programs().size());
    }

    @Test
    void coreAndKfuncsResolveAgainstTheHostKernel() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of(TargetBtf.VMLINUX)), "no " + TargetBtf.VMLINUX);
        // test_skb_helpers reads task_struct fields through CO-RE: all found in a real kernel
        ProgramSpec helpers = load("test_skb_helpers").programs().getFirst();
        assertTrue(helpers.poisoned().isEmpty(), helpers.poisoned().toString());
        ProgramSpec decap = load("decap_sanity").programs().getFirst();
        assertEquals(List.of("bpf_cast_to_kern_ctx"), decap.kfuncCalls().stream().map(KfuncCall::name).toList());
        assertTrue(decap.kfuncCalls().getFirst().targetBtfId() > 0);
    }
}
