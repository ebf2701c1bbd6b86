package dev.tcxsim.vm.real;

import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.btf.Btf;
import dev.tcxsim.vm.btf.BtfKind;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfFormatException;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.elf.LoadOptions;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.KernelObject;
import dev.tcxsim.vm.support.Modes;
import dev.tcxsim.vm.real.RealProgramsReport.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real tc programs of {@code testdata/real} (kernel selftests, see its ORIGIN.md) on the
 * simulator and on the real kernel (BPF_PROG_TEST_RUN): every SCHED_CLS program on each of a few
 * frames, comparing r0, the packet afterwards and value 0 of every array map. A program the
 * simulator cannot load or run yet is reported, not failed; what must hold is that every
 * (object, program, frame) listed in {@code testdata/real/expected-same.txt} still gives the
 * kernel's result — the set of agreeing programs never shrinks. The table of all rows is written
 * to {@code target/real-programs.md} (docs/real-programs.md is its committed copy).
 */
class RealProgramsTest {
    private static final Path REAL = testdata().resolve("real");
    private static final Path EXPECTED = REAL.resolve("expected-same.txt");
    private static final int SCHED_CLS = 3, ARRAY = 2;
    /**
     * The selftests load some of these objects with tc ({@code tc filter add ... bpf obj X.o sec encap_gre_none}),
     * which takes a section libbpf does not know as SCHED_CLS: so does this test.
     */
    private static final LoadOptions TC_LOADER = LoadOptions.DEFAULTS.withUnknownSectionsAsTc(true);

    private static Path testdata() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("testdata/real"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no testdata/real above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("testdata");
    }

    @Test
    void theAgreeingSetNeverShrinks() throws Exception {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel comparison skipped: " + KernelBpf.UNAVAILABLE);
        List<Row> rows = compareAll();
        RealProgramsReport.write(rows);
        Set<String> same = new TreeSet<>();
        rows.stream().filter(Row::same).forEach(r -> same.add(r.key()));
        Set<String> expected = expected();
        List<String> lost = expected.stream().filter(k -> !same.contains(k)).toList();
        List<String> gained = same.stream().filter(k -> !expected.contains(k)).toList();
        if (!gained.isEmpty()) {
            System.out.println("[tcxsim] real programs that now agree with the kernel (add them to " + EXPECTED
                    + "):\n  " + String.join("\n  ", gained));
        }
        StringBuilder why = new StringBuilder();
        for (Row r : rows) {
            if (lost.contains(r.key())) {
                why.append("\n  ").append(r.key()).append(": ").append(RealProgramsReport.describe(r));
            }
        }
        assertTrue(lost.isEmpty(), "real programs that agreed with the kernel no longer do:" + why);
        assertFalse(rows.isEmpty(), "no programs under " + REAL);
    }

    /** Without a kernel: every listed program still loads in the simulator and runs without a fault. */
    @Test
    void theListedProgramsRunInTheSimulator() throws Exception {
        Set<String> expected = expected();
        assertTrue(expected.size() >= 10, "the expectations list " + expected.size() + " entries");
        for (String key : expected) {
            String[] k = key.split(" ");
            BpfObject obj = ElfLoader.load(REAL.resolve(k[0]), TC_LOADER);
            List<BpfMap> maps = new ArrayList<>();
            for (MapSpec m : obj.maps()) {
                maps.add(BpfMap.create(m));
            }
            RealFrames.Frame frame = RealFrames.byName(k[0], k[2]);
            setUp(obj, maps, frame);
            LoadedProgram p = Modes.vm(Modes.Mode.INTERPRETED).loadProgram(obj.program(k[1]), maps);
            RunResult r = p.run(frame.ctxIn() == null ? skb(frame.bytes()) : contextSkb(frame), RunEnv.DEFAULT);
            assertNull(r.fault(), key + ": " + r.fault());
        }
    }

    /**
     * The setup reproduces the selftest: prog_tests/l4lb_all.c expects TC_ACT_REDIRECT and the real's
     * address 0x1234 in the first four bytes out, for pkt_v4 and pkt_v6 and both builds of the balancer.
     */
    @Test
    void theL4lbSetupGivesTheSelftestsAnswer() throws Exception {
        for (String object : List.of("test_l4lb.o", "test_l4lb_noinline.o")) {
            BpfObject obj = ElfLoader.load(REAL.resolve(object), TC_LOADER);
            for (RealFrames.Frame frame : RealFrames.L4LB_FRAMES) {
                List<BpfMap> maps = new ArrayList<>();
                for (MapSpec m : obj.maps()) {
                    maps.add(BpfMap.create(m));
                }
                setUp(obj, maps, frame);
                LoadedProgram p = Modes.vm(Modes.Mode.INTERPRETED).loadProgram(obj.program("balancer_ingress"), maps);
                SkBuff skb = skb(frame.bytes());
                RunResult r = p.run(skb, RunEnv.DEFAULT);
                assertNull(r.fault(), r.fault());
                String where = object + " on " + frame.name();
                org.junit.jupiter.api.Assertions.assertEquals(7, r.returnValue(), where + ": TC_ACT_REDIRECT");
                org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {0x34, 0x12, 0, 0},
                        Arrays.copyOf(skb.data(), 4), where + ": the real's address first");
            }
        }
    }

    /** prog_tests/skb_ctx.c: with its context the program returns 0 and increments cb, priority, tstamp and mark. */
    @Test
    void theSkbCtxSetupGivesTheSelftestsAnswer() throws Exception {
        BpfObject obj = ElfLoader.load(REAL.resolve("test_skb_ctx.o"), TC_LOADER);
        LoadedProgram p = Modes.vm(Modes.Mode.INTERPRETED).loadProgram(obj.program("process"), List.of());
        SkBuff skb = contextSkb(RealFrames.SKB_CTX);
        RunResult r = p.run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), r.fault());
        org.junit.jupiter.api.Assertions.assertEquals(0, r.returnValue(), "every field test_run set was seen");
        for (int i = 0; i < 5; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(i + 2, skb.cb(i), "cb[" + i + "]");
        }
        org.junit.jupiter.api.Assertions.assertEquals(7, skb.priority());
        org.junit.jupiter.api.Assertions.assertEquals(8, skb.tstamp());
        org.junit.jupiter.api.Assertions.assertEquals(10, skb.mark());
    }

    private static Set<String> expected() throws Exception {
        Set<String> keys = new LinkedHashSet<>();
        for (String line : Files.readAllLines(EXPECTED)) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                keys.add(l);
            }
        }
        return keys;
    }

    private static List<Row> compareAll() throws Exception {
        List<Path> objects;
        try (Stream<Path> files = Files.list(REAL)) {
            objects = files.filter(p -> p.toString().endsWith(".o")).sorted().toList();
        }
        List<Row> rows = new ArrayList<>();
        for (Path file : objects) {
            String name = file.getFileName().toString();
            BpfObject obj;
            try {
                obj = ElfLoader.load(file, TC_LOADER);
            } catch (ElfFormatException e) {
                rows.add(new Row(name, "(every program)", "-", "the ELF loader refuses it: " + e.getMessage(),
                        "not tried (the test loads the kernel through tcxsim's ELF loader)", null));
                continue;
            }
            List<ProgramSpec> tc = obj.programs().stream().filter(p -> p.progType() == SCHED_CLS).toList();
            if (tc.isEmpty()) {
                rows.add(new Row(name, "(every program)", "-", "the ELF loader finds no tc program in it",
                        "not tried (the test loads the kernel through tcxsim's ELF loader)", null));
            }
            for (ProgramSpec p : tc) {
                for (RealFrames.Frame f : RealFrames.forObject(name)) {
                    rows.add(compare(name, obj, p.name(), f));
                }
            }
        }
        return rows;
    }

    private static Row compare(String name, BpfObject obj, String program, RealFrames.Frame frame) {
        if (frame.ctxIn() != null) {
            return compareWithContext(name, obj, program, frame);
        }
        // A fresh kernel object per run, so maps start as the simulator's do.
        KernelBpf.Outcome k;
        byte[][] kernelMaps = new byte[obj.maps().size()][];
        String kernelError = null;
        k = null;
        try (KernelObject ko = new KernelObject(obj)) {
            for (RealFrames.MapEntry e : frame.setup()) {
                int rc = ko.update(e.map(), e.key(), e.value());
                if (rc != 0) {
                    throw new IllegalStateException("setting up map " + e.map() + ": errno " + -rc);
                }
            }
            int fd = ko.loadProgram(program, RealProgramsTest::kfuncId);
            k = ko.testRun(fd, frame.bytes());
            for (int i = 0; i < kernelMaps.length; i++) {
                if (obj.maps().get(i).type() == ARRAY) {
                    kernelMaps[i] = ko.lookup(obj.maps().get(i).name(), new byte[4]);
                }
            }
        } catch (Throwable t) {
            kernelError = t.getMessage() == null ? t.toString() : t.getMessage();
        }
        // Program by program, with fresh maps, so one unsupported program does not hide the others.
        List<BpfMap> maps = new ArrayList<>();
        LoadedProgram lp;
        try {
            for (MapSpec m : obj.maps()) {
                maps.add(BpfMap.create(m));
            }
            setUp(obj, maps, frame);
            lp = Modes.vm(Modes.Mode.INTERPRETED).loadProgram(obj.program(program), maps);
        } catch (Exception e) {
            return new Row(name, program, frame.name(), e.getMessage(), kernelError, null);
        }
        SkBuff skb = skb(frame.bytes());
        RunResult r = lp.run(skb, RunEnv.DEFAULT);
        if (r.fault() != null) {
            return new Row(name, program, frame.name(), "faults: " + r.fault(), kernelError, null);
        }
        if (kernelError != null) {
            return new Row(name, program, frame.name(), null, kernelError, null, r.insnsExecuted());
        }
        String diff = null;
        if (k.retval() != r.returnValue()) {
            diff = "r0: kernel " + k.retval() + ", simulator " + r.returnValue();
        } else if (!Arrays.equals(k.packet(), skb.data())) {
            diff = "packet after the run: kernel " + hex(k.packet()) + ", simulator " + hex(skb.data());
        } else {
            for (int i = 0; i < kernelMaps.length && diff == null; i++) {
                MapSpec m = obj.maps().get(i);
                if (m.type() == ARRAY) {
                    byte[] s = maps.get(i).lookup(new byte[4]);
                    if (!Arrays.equals(kernelMaps[i], s)) {
                        diff = "value 0 of map " + m.name() + ": kernel " + hex(kernelMaps[i]) + ", simulator "
                                + hex(s);
                    }
                }
            }
        }
        return new Row(name, program, frame.name(), null, null, diff, r.insnsExecuted());
    }

    /**
     * A run with ctx_in (programs without maps only): r0, the packet, and the fields test_run hands back
     * in ctx_out that a program may write (mark, priority, tstamp, cb).
     */
    private static Row compareWithContext(String name, BpfObject obj, String program, RealFrames.Frame frame) {
        KernelBpf.SkbOutcome k = null;
        String kernelError = null;
        try (KernelBpf.Session s = new KernelBpf.Session()) {
            if (!obj.maps().isEmpty()) {
                throw new IllegalStateException("context frames are for programs without maps");
            }
            k = s.testRunSkb(s.loadProgram(obj.program(program).insns()), frame.bytes(), frame.ctxIn());
        } catch (Throwable t) {
            kernelError = t.getMessage() == null ? t.toString() : t.getMessage();
        }
        LoadedProgram lp;
        try {
            lp = Modes.vm(Modes.Mode.INTERPRETED).loadProgram(obj.program(program), List.of());
        } catch (Exception e) {
            return new Row(name, program, frame.name(), e.getMessage(), kernelError, null);
        }
        SkBuff skb = contextSkb(frame);
        RunResult r = lp.run(skb, RunEnv.DEFAULT);
        if (r.fault() != null) {
            return new Row(name, program, frame.name(), "faults: " + r.fault(), kernelError, null);
        }
        if (kernelError != null) {
            return new Row(name, program, frame.name(), null, kernelError, null, r.insnsExecuted());
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(k.ctxOut()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        String diff = null;
        if (k.retval() != r.returnValue()) {
            diff = "r0: kernel " + k.retval() + ", simulator " + r.returnValue();
        } else if (!Arrays.equals(k.packet(), skb.data())) {
            diff = "packet after the run: kernel " + hex(k.packet()) + ", simulator " + hex(skb.data());
        } else if (out.getInt(SkBuffLayout.MARK) != skb.mark() || out.getInt(SkBuffLayout.PRIORITY) != skb.priority()
                || out.getLong(SkBuffLayout.TSTAMP) != skb.tstamp()) {
            diff = "ctx_out mark/priority/tstamp: kernel " + out.getInt(SkBuffLayout.MARK) + "/"
                    + out.getInt(SkBuffLayout.PRIORITY) + "/" + out.getLong(SkBuffLayout.TSTAMP) + ", simulator "
                    + skb.mark() + "/" + skb.priority() + "/" + skb.tstamp();
        } else {
            for (int i = 0; i < 5 && diff == null; i++) {
                if (out.getInt(SkBuffLayout.CB + 4 * i) != skb.cb(i)) {
                    diff = "ctx_out cb[" + i + "]: kernel " + out.getInt(SkBuffLayout.CB + 4 * i) + ", simulator "
                            + skb.cb(i);
                }
            }
        }
        return new Row(name, program, frame.name(), null, null, diff, r.insnsExecuted());
    }

    /** The skb BPF_PROG_TEST_RUN builds from the frame and its ctx_in (the fields test_run takes from it). */
    private static SkBuff contextSkb(RealFrames.Frame frame) {
        java.nio.ByteBuffer c = java.nio.ByteBuffer.wrap(frame.ctxIn()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        SkBuff skb = skb(frame.bytes());
        skb.setIfindex(Math.max(1, c.getInt(SkBuffLayout.IFINDEX)));
        skb.setIngressIfindex(c.getInt(SkBuffLayout.INGRESS_IFINDEX));
        skb.setMark(c.getInt(SkBuffLayout.MARK));
        skb.setPriority(c.getInt(SkBuffLayout.PRIORITY));
        for (int i = 0; i < 5; i++) {
            skb.setCb(i, c.getInt(SkBuffLayout.CB + 4 * i));
        }
        skb.setTstamp(c.getLong(SkBuffLayout.TSTAMP));
        skb.setWireLen(c.getInt(SkBuffLayout.WIRE_LEN));
        skb.setGsoSegs(c.getInt(SkBuffLayout.GSO_SEGS));
        skb.setGsoSize(c.getInt(SkBuffLayout.GSO_SIZE));
        skb.setHwtstamp(c.getLong(SkBuffLayout.HWTSTAMP));
        return skb;
    }

    /** The frame's map entries, written from the syscall side as user space would. */
    private static void setUp(BpfObject obj, List<BpfMap> maps, RealFrames.Frame frame) throws Exception {
        for (RealFrames.MapEntry e : frame.setup()) {
            maps.get(obj.mapIndex(e.map())).update(e.key(), e.value(), 0);
        }
    }

    private static SkBuff skb(byte[] frame) {
        SkBuff skb = new SkBuff(frame);
        skb.setIfindex(1); // BPF_PROG_TEST_RUN runs on the loopback device
        return skb;
    }

    private static Btf vmlinux;

    /** The running kernel's BTF id of a kfunc (-1 when unknown: the kernel then refuses the call). */
    private static synchronized int kfuncId(String name) {
        try {
            if (vmlinux == null) {
                vmlinux = Btf.parse(Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux")));
            }
            return vmlinux.find(BtfKind.FUNC, name).orElse(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    private static String hex(byte[] b) {
        if (b == null) {
            return "(none)";
        }
        String h = HexFormat.of().formatHex(b);
        return h.length() > 160 ? h.substring(0, 160) + "... (" + b.length + " bytes)" : h;
    }
}
