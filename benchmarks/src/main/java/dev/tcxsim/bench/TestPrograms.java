package dev.tcxsim.bench;

import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.elf.MapSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The committed test objects the benchmarks run, with the frame each one gets. Objects are found
 * under {@code testdata/progs} of the repository ({@code real/NAME.o}: under {@code testdata/real}, the
 * real open-source programs) ({@code -Dtcxsim.root}, default: the working
 * directory; {@code ./tcxsim bench} sets it).
 */
public final class TestPrograms {
    private TestPrograms() {
    }

    /** Stops a benchmark that would measure Truffle's fallback interpreter instead of compiled code. */
    public static void requireCompiler() {
        if (!dev.tcxsim.vm.truffle.EbpfEngine.isOptimizing()) {
            throw new IllegalStateException("Truffle runs interpreted: start the JVM with the Graal compiler (./tcxsim bench)");
        }
    }

    public static Path root() {
        return Path.of(System.getProperty("tcxsim.root", ".")).toAbsolutePath().normalize();
    }

    /** "file.o:program" → the parsed object, tuned for benchmarking (see {@link #forBenchmark}). */
    public static BpfObject object(String spec) throws Exception {
        String file = spec.substring(0, spec.indexOf(':'));
        // "real/x.o" names one of the real open-source objects of testdata/real, the rest our own test programs
        Path p = file.startsWith("real/") ? root().resolve("testdata").resolve(file)
                : root().resolve("testdata/progs").resolve(file);
        if (!Files.exists(p)) {
            throw new IllegalStateException("test object " + p + " not found: run from the repository root or set -Dtcxsim.root");
        }
        return forBenchmark(ElfLoader.load(p));
    }

    public static String programName(String spec) {
        return spec.substring(spec.indexOf(':') + 1);
    }

    /** The frame a program is benchmarked on: a TCP SYN, or a UDP datagram for the NAT program. */
    public static byte[] frame(String spec) {
        return spec.startsWith("nat") ? Frames.udp() : Frames.tcpSyn();
    }

    /**
     * The NAT program rewrites nat_from to nat_to; run repeatedly on one packet it would take the
     * short path from the second run on. Setting nat_to = nat_from keeps every run on the full
     * rewrite path (same helpers, same checksum work), on both the VM and the kernel.
     */
    static BpfObject forBenchmark(BpfObject obj) {
        if (!obj.name().startsWith("nat")) {
            return obj;
        }
        List<MapSpec> maps = new ArrayList<>();
        for (MapSpec m : obj.maps()) {
            if (m.name().endsWith(".rodata") && m.initialData() != null && m.initialData().length >= 8) {
                byte[] data = m.initialData().clone();
                System.arraycopy(data, 0, data, 4, 4);
                m = new MapSpec(m.name(), m.type(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(), m.pinning(),
                        m.kind(), data, m.innerMapIndex(), m.initialProgSlots(), m.btfKeyTypeId(), m.btfValueTypeId());
            }
            maps.add(m);
        }
        return new BpfObject(obj.name(), obj.license(), obj.kernelVersion(), maps, obj.programs(), obj.btf());
    }
}
