package dev.tcxsim.cli;

import dev.tcxsim.conformance.harness.Backend;
import dev.tcxsim.vm.helpers.Helpers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code tcxsim prog check OBJ}: the compatibility report, as text and as JSON, on real and test objects. */
class ProgCheckTest {
    private static final Path TESTDATA = Path.of("..", "testdata").toAbsolutePath().normalize();

    private static String real(String name) {
        return TESTDATA.resolve("real").resolve(name).toString();
    }

    private static String progs(String name) {
        return TESTDATA.resolve("progs").resolve(name).toString();
    }

    @Test
    void textListsProgramsHelpersMapsAndElfFeatures() {
        MainTest.Run r = MainTest.run("prog", "check", real("test_tc_neigh.o"));
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("test_tc_neigh.o: license \"GPL\"  programs 3  loads in the simulator "), out);
        for (String prog : new String[] {"tc_chk", "tc_dst", "tc_src"}) {
            assertTrue(out.contains("  " + prog + "  sec tc  type sched_cls  insns "), out);
        }
        assertTrue(out.contains("  bpf_skb_store_bytes (9)  supported  used by tc_dst, tc_src"), out);
        assertTrue(out.contains("  bpf_redirect_neigh (152)  " + (Helpers.implemented(152) ? "supported" : "NOT supported")), out);
        assertTrue(out.contains("kfuncs: none") && out.contains("maps: none"), out);
        assertTrue(out.matches("(?s).*  btf: \\d+ types\n  btf.ext line info: \\d+ records\n  co-re relocations: 0\n.*"), out);
        assertTrue(out.contains("  global data: .rodata (8 bytes)"), out);
        assertTrue(out.contains("  subprograms: 0") && out.contains("  legacy maps: 0"), out);
        assertTrue(!out.contains("kernel:"), "no kernel column without --kernel linux: " + out);
    }

    /** Each helper's "supported" is what the VM says; a program calling one it lacks is refused, naming one such helper. */
    @Test
    void jsonSaysPerHelperWhetherTheSimulatorHasIt() {
        MainTest.Run r = MainTest.run("-j", "prog", "check", real("test_cls_redirect.o"));
        assertEquals(0, r.code(), r.err());
        String json = r.out();
        Matcher helper = Pattern.compile("\\{\"name\":\"(bpf_\\w+)\",\"id\":(\\d+),\"supported\":(true|false),"
                + "\"used_by\":\\[\"cls_redirect\"]}").matcher(json);
        int helpers = 0;
        StringBuilder missing = new StringBuilder();
        while (helper.find()) {
            helpers++;
            int id = Integer.parseInt(helper.group(2));
            assertEquals(Helpers.implemented(id), Boolean.parseBoolean(helper.group(3)), helper.group());
            if (!Helpers.implemented(id)) {
                missing.append(helper.group(1)).append(' ');
            }
        }
        assertTrue(helpers >= 10, "test_cls_redirect calls a dozen helpers: " + json);
        assertTrue(json.contains("{\"name\":\"bpf_skb_pull_data\",\"id\":39,"), json);
        assertTrue(json.contains("\"maps\":[{\"name\":\"metrics_map\",\"type\":\"percpu_array\",\"key_size\":4,"), json);
        if (!missing.isEmpty()) {
            Matcher why = Pattern.compile("\"sim\":\"refused\",\"sim_why\":\"[^\"]*helper \\d+ \\((bpf_\\w+)\\)").matcher(json);
            assertTrue(why.find(), json);
            assertTrue(missing.toString().contains(why.group(1) + " "), why.group() + " vs missing " + missing);
        }
    }

    @Test
    void elfFeaturesOfTheTestObjects() {
        assertTrue(json(progs("core.o")).matches("(?s).*\"core_relocations\":[1-9]\\d*,.*"));
        String legacy = json(progs("legacy_maps.o"));
        assertTrue(legacy.contains("\"legacy_maps\":2") && legacy.contains("{\"name\":\"legacy_protos\",\"type\":\"hash\""),
                legacy);
        String calls = json(progs("calls.o"));
        assertTrue(calls.contains("\"subprograms\":[\"nest\",\"scale\",\"times_two_plus\",\"mix3\",\"global_add\"]"), calls);
        String globals = json(progs("globals.o"));
        assertTrue(globals.contains("\"global_data\":{\".bss\":8,\".data\":8,\".data.custom\":4,\".rodata\":34,"), globals);
        String externs = json(progs("core_externs.o"));
        assertTrue(externs.matches("(?s).*\"externs\":\\{\"\\.kconfig\":\\[[^]]*\"CONFIG_HZ\"[^]]*],\"\\.ksyms\":\\[\"bpf_prog_active\"]}.*"),
                externs);
        String dynptr = json(progs("cb_dynptr.o"));
        assertTrue(dynptr.contains("\"kfuncs\":[{\"name\":\"bpf_dynptr_from_skb\",\"supported\":"), dynptr);
        String kfunc = json(real("decap_sanity.o"));
        assertTrue(kfunc.contains("\"kfuncs\":[{\"name\":\"bpf_cast_to_kern_ctx\",\"supported\":"), kfunc);
        assertTrue(kfunc.contains("\"used_by\":[\"decap_sanity\"]"), kfunc);
    }

    private static String json(String obj) {
        MainTest.Run r = MainTest.run("-j", "prog", "check", obj);
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    /** Sections libbpf does not know (tc's loader takes them as SCHED_CLS) are still listed, each with the refusal. */
    @Test
    void anObjectTheLoaderRefusesIsStillReportedInFull() {
        MainTest.Run r = MainTest.run("prog", "check", real("test_tc_edt.o"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  tc_prog  sec cls_test  type sched_cls (by tc's loader; libbpf knows no section "
                + "'cls_test')  insns "), r.out());
        assertTrue(r.out().contains("bpf_map_lookup_elem (1)  supported  used by tc_prog"), r.out());
    }

    @Test
    void theKernelColumnOnLinux() {
        String why = Backend.LINUX.whyUnavailable();
        if (why != null) {
            if (Backend.LINUX.required()) {
                fail("the kernel check is required here but cannot run: " + why);
            }
            assumeTrue(false, "kernel check skipped: " + why);
        }
        MainTest.Run r = MainTest.run("--kernel", "linux", "prog", "check", real("test_tc_neigh_fib.o"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("accepted by the kernel 3"), r.out());
        assertEquals(3, Arrays.stream(r.out().split("\n")).filter(l -> l.endsWith("kernel: loads")).count(), r.out());
        MainTest.Run j = MainTest.run("-j", "--kernel", "linux", "prog", "check", real("test_check_mtu.o"));
        assertEquals(0, j.code(), j.err());
        // The six tc programs; the six XDP ones are skipped by the loader of a tc simulator, which says so.
        assertTrue(j.out().contains("\"kernel_accepts\":6"), j.out());
        assertTrue(j.out().contains("{\"name\":\"xdp_use_helper\",\"section\":\"xdp\",\"type\":\"xdp\",\"insns\":26,"
                + "\"sim\":\"refused\",\"sim_why\":\"the ELF loader skips section 'xdp': "), j.out());
    }

    @Test
    void badInputIsAClearError(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.o");
        Files.writeString(text, "not an object\n");
        MainTest.Run r = MainTest.run("prog", "check", text.toString());
        assertEquals(2, r.code());
        assertEquals("Error: " + text + " is not a BPF object: no ELF header", r.err().strip());
        Path cut = dir.resolve("cut.o");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(Path.of(real("test_tc_neigh.o"))), 300));
        MainTest.Run t = MainTest.run("prog", "check", cut.toString());
        assertEquals(2, t.code());
        assertTrue(t.err().contains("is not a BPF object: section header table outside the file"), t.err());
        MainTest.Run missing = MainTest.run("prog", "check", dir.resolve("absent.o").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().startsWith("Error: cannot read " + dir.resolve("absent.o")), missing.err());
        MainTest.Run extra = MainTest.run("prog", "check", real("test_tc_neigh.o"), "now");
        assertEquals(2, extra.code());
        assertTrue(extra.err().contains("unexpected word 'now'"), extra.err());
    }

    /** Damaged objects (seeded byte flips and cuts) give a report or a CliError, never another exception. */
    @Test
    void damagedObjectsNeverCrashTheReport() throws Exception {
        byte[] good = Files.readAllBytes(Path.of(real("test_cls_redirect.o")));
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        int reports = 0, errors = 0;
        for (int i = 0; i < 1500; i++) {
            byte[] bad = random.nextInt(4) == 0 ? Arrays.copyOf(good, random.nextInt(good.length))
                    : flip(good, random, 1 + random.nextInt(8));
            try {
                if (i % 100 == 0) {
                    ProgCheck.check("damaged-" + i + ".o", bad, null);
                } else {
                    ProgCheckScan.scan("damaged-" + i + ".o", bad);
                }
                reports++;
            } catch (CliError e) {
                assertTrue(e.getMessage().startsWith("damaged-" + i + ".o is not a BPF object: "), e.getMessage());
                errors++;
            }
        }
        assertTrue(reports > 0 && errors > 0, reports + " reports, " + errors + " errors");
    }

    private static byte[] flip(byte[] good, java.util.SplittableRandom random, int count) {
        byte[] b = good.clone();
        for (int i = 0; i < count; i++) {
            // Mostly the headers and tables at the ends of the file, where a flip changes the structure.
            int at = random.nextBoolean() ? random.nextInt(64) : b.length - 1 - random.nextInt(Math.min(b.length, 4096));
            b[at] ^= (byte) (1 << random.nextInt(8));
        }
        return b;
    }
}
