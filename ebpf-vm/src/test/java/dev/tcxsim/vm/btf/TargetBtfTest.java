package dev.tcxsim.vm.btf;

import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.elf.LoadOptions;
import dev.tcxsim.vm.elf.ProgramSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped Linux 6.18 BTF, the pruner that makes it, the writer under it, and how the target is chosen. */
class TargetBtfTest {
    private static Path progs() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("testdata/progs"))) {
                return p.resolve("testdata/progs");
            }
        }
        throw new IllegalStateException("testdata/progs not found");
    }

    private static Btf btfOf(String object) throws Exception {
        return Btf.parse(ElfLoader.load(progs().resolve(object + ".o")).btf());
    }

    @Test
    void writerRoundTripsEveryTypeOfAnObject() throws Exception {
        for (String object : List.of("core_target", "core_kinds", "globals", "calls")) {
            Btf original = btfOf(object);
            Btf again = Btf.parse(BtfWriter.write(allTypes(original)));
            assertEquals(allTypes(original), allTypes(again), object);
        }
    }

    private static List<BtfType> allTypes(Btf btf) {
        return java.util.stream.IntStream.range(1, btf.typeCount()).mapToObj(btf::type).toList();
    }

    @Test
    void prunedBtfKeepsRootsWholeAndForwardsWhatIsOnlyPointedTo() throws Exception {
        Btf target = btfOf("core_target");
        // root: core_thing only; it holds core_nested by value, and nothing by pointer
        Btf pruned = Btf.parse(BtfPruner.prune(target, t -> t.name().equals("core_thing")));
        int thing = pruned.find(BtfKind.STRUCT, "core_thing").orElseThrow();
        assertEquals(56, pruned.sizeOf(thing));
        assertTrue(pruned.find(BtfKind.STRUCT, "core_nested").isPresent(), "held by value: kept");
        assertTrue(pruned.find(BtfKind.STRUCT, "core_only_target").isEmpty(), "not reachable: dropped");
        assertTrue(pruned.typeCount() < target.typeCount());
    }

    @Test
    void shippedBtfDescribesTheTcTypesOfLinux618() throws Exception {
        Btf shipped = TargetBtf.shipped().btf();
        for (String name : List.of("sk_buff", "__sk_buff", "net_device", "sock", "sock_common", "bpf_sock")) {
            assertTrue(shipped.find(BtfKind.STRUCT, name).isPresent(), name);
        }
        for (String name : List.of("ethhdr", "iphdr", "ipv6hdr", "tcphdr", "udphdr", "icmphdr")) {
            assertTrue(shipped.find(BtfKind.STRUCT, name).isPresent(), name);
        }
        int skb = shipped.find(BtfKind.STRUCT, "__sk_buff").orElseThrow();
        assertEquals(192, shipped.sizeOf(skb), "sizeof(struct __sk_buff) in 6.18");
        // sk_buff points at a struct sock (kept as a root) and at things that are only forward-declared
        BtfType.Composite sk = (BtfType.Composite) shipped.type(shipped.find(BtfKind.STRUCT, "sk_buff").orElseThrow());
        assertTrue(shipped.typeCount() < 10_000, "pruned: " + shipped.typeCount() + " types");
        assertTrue(sk.members().size() > 10);
        long forwards = java.util.stream.IntStream.range(1, shipped.typeCount())
                .filter(id -> shipped.type(id) instanceof BtfType.Fwd).count();
        assertTrue(forwards > 0, "structs reached only through pointers are forward declarations");
    }

    @Test
    void shippedBtfRelocatesLikeTheHostKernelsForTcTypes() throws Exception {
        Path vmlinux = Path.of(TargetBtf.VMLINUX);
        Assumptions.assumeTrue(Files.isReadable(vmlinux), "no " + vmlinux);
        Assumptions.assumeTrue(System.getProperty("os.version", "").startsWith("6.18"), "host is not Linux 6.18");
        TargetBtf host = TargetBtf.load(vmlinux);
        byte[] obj = Files.readAllBytes(progs().resolve("core_skb.o"));
        ProgramSpec viaHost = ElfLoader.load(obj, "core_skb", LoadOptions.DEFAULTS.withTargetBtf(host)).program("core_skb");
        ProgramSpec viaShipped = ElfLoader.load(obj, "core_skb", LoadOptions.DEFAULTS.withTargetBtf(TargetBtf.shipped()))
                .program("core_skb");
        assertArrayEquals(viaHost.insns(), viaShipped.insns());
        assertEquals(viaHost.poisoned().size(), viaShipped.poisoned().size());
    }

    @Test
    void theHostTargetHonoursTheSystemPropertyAndFilesMayBeGzipped() throws Exception {
        Path gz = Files.createTempFile("target", ".btf.gz");
        Path raw = Files.createTempFile("target", ".btf");
        try {
            byte[] blob = BtfWriter.write(allTypes(btfOf("core_target")));
            Files.write(raw, blob);
            try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
                out.write(blob);
            }
            assertEquals(TargetBtf.load(raw).btf().typeCount(), TargetBtf.load(gz).btf().typeCount());
            assertTrue(TargetBtf.load(gz).named("core_thing").size() == 1);
            String before = System.getProperty(TargetBtf.PROPERTY);
            try {
                System.setProperty(TargetBtf.PROPERTY, gz.toString());
                TargetBtf chosen = TargetBtf.findHost();
                assertEquals(gz.toString(), chosen.source());
                assertEquals(1, chosen.named("core_thing").size());
                System.setProperty(TargetBtf.PROPERTY, raw + ".missing");
                IllegalStateException e = assertThrows(IllegalStateException.class, TargetBtf::findHost);
                assertTrue(e.getMessage().contains(raw + ".missing"), e.getMessage());
            } finally {
                if (before == null) {
                    System.clearProperty(TargetBtf.PROPERTY);
                } else {
                    System.setProperty(TargetBtf.PROPERTY, before);
                }
            }
            Files.write(raw, new byte[] {1, 2, 3});
            assertInstanceOf(BtfFormatException.class, assertThrows(BtfFormatException.class, () -> TargetBtf.load(raw)));
        } finally {
            Files.deleteIfExists(gz);
            Files.deleteIfExists(raw);
        }
    }

    @Test
    void essentialNamesDropTheLastFlavor() {
        assertEquals("sk_buff", TargetBtf.essentialName("sk_buff___v1"));
        assertEquals("task_struct___x", TargetBtf.essentialName("task_struct___x___old"));
        assertEquals("a___b", TargetBtf.essentialName("a___b"), "one character after ___ is not a flavor (libbpf)");
        assertEquals("___ab", TargetBtf.essentialName("___ab"), "nothing before ___");
    }
}
