package dev.tcxsim.cli;

import dev.tcxsim.conformance.harness.Backend;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs every lesson under examples/ and compares what a user sees with the committed golden
 * files: NN-name.sim.out on the simulator, NN-name.linux.out on the real kernel (root, Linux >= 6.6;
 * required there). Program and link ids are renumbered by first appearance, because the real
 * kernel's ids are global. {@code -Dtcxsim.updateGolden=true} rewrites the files.
 */
class LessonsGoldenTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern ID = Pattern.compile("\\b(prog id|link id|prog|link|id) (\\d+)\\b");

    /** Renumbers program and link ids in order of first appearance: "prog id 41645" → "prog id #1". */
    static String normalizeIds(String text) {
        Map<String, String> progs = new HashMap<>();
        Map<String, String> links = new HashMap<>();
        Matcher m = ID.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            boolean link = m.group(1).startsWith("link");
            Map<String, String> ids = link ? links : progs;
            String n = ids.computeIfAbsent(m.group(2), k -> "#" + (ids.size() + 1));
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + " " + n));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    @TestFactory
    List<DynamicTest> lessonsMatchTheirGoldenFiles() throws IOException {
        List<Path> scripts = Lessons.scripts(ROOT);
        assertFalse(scripts.isEmpty(), "no lessons under " + ROOT.resolve("examples"));
        List<DynamicTest> tests = new ArrayList<>();
        for (Path script : scripts) {
            for (String kernel : List.of("sim", "linux")) {
                tests.add(DynamicTest.dynamicTest(script.getFileName() + " [" + kernel + "]", () -> check(script, kernel)));
            }
        }
        return tests;
    }

    private static void check(Path script, String kernel) throws Exception {
        if (kernel.equals("linux")) {
            String why = Backend.LINUX.whyUnavailable();
            if (why != null) {
                if (Backend.LINUX.required()) {
                    fail("the real-kernel lesson run is required here but cannot run: " + why);
                }
                System.out.println("[tcxsim] lesson " + script.getFileName() + " not run on linux: " + why);
                assumeTrue(false, why);
            }
        }
        String actual = normalizeIds(Lessons.run(ROOT, script, kernel));
        String name = script.getFileName().toString().replace(".tcx", "." + kernel + ".out");
        Path golden = script.resolveSibling(name);
        if (Boolean.getBoolean("tcxsim.updateGolden")) {
            Files.writeString(golden, actual);
        }
        if (!Files.exists(golden)) {
            fail("no golden file " + golden + "; run with -Dtcxsim.updateGolden=true to create it. Output was:\n" + actual);
        }
        assertEquals(Files.readString(golden), actual, "output of " + script.getFileName() + " on " + kernel);
    }

    /**
     * What both kernels show alike: the output without the simulator-only trace lines and fate, and
     * without the real kernel's run counters and the shadow simulator's prediction next to them.
     */
    static String observable(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String t = line.strip();
            boolean simOnly = line.matches("^ +\\d+  \\S.*") || t.startsWith("fate: ") || t.startsWith("printk: ")
                    || t.startsWith("map write: ");
            boolean linuxOnly = line.startsWith("programs that ran (the kernel's run counters")
                    || line.matches("^  \\S+ (ingress|egress) (tcx|classic) .* ran \\d+x$") || line.equals("  (none)")
                    || line.startsWith("simulator predicts: ") || line.equals("agrees: yes") || line.startsWith("DIFFERS: ")
                    || line.startsWith("simulator could not follow: ");
            if (!simOnly && !linuxOnly) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    /** The lesson outputs of the two kernels agree once the simulator's trace lines are set aside. */
    @TestFactory
    List<DynamicTest> simulatorAndKernelShowTheSameLessons() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path script : Lessons.scripts(ROOT)) {
            tests.add(DynamicTest.dynamicTest(script.getFileName().toString(), () -> {
                Path sim = script.resolveSibling(script.getFileName().toString().replace(".tcx", ".sim.out"));
                Path linux = script.resolveSibling(script.getFileName().toString().replace(".tcx", ".linux.out"));
                assertEquals(observable(Files.readString(sim)), observable(Files.readString(linux)),
                        "the golden outputs of " + script.getFileName() + " differ beyond the simulator's trace");
            }));
        }
        return tests;
    }

    @org.junit.jupiter.api.Test
    void idsAreRenumberedByFirstAppearance() {
        assertEquals("prog id #1 link id #1 prog #1 link #2 id #2",
                normalizeIds("prog id 900 link id 77 prog 900 link 78 id 901"));
    }
}
