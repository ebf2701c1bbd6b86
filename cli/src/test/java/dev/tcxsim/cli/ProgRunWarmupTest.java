package dev.tcxsim.cli;

import dev.tcxsim.vm.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code prog run ... repeat N} on the simulator reports the steady state: it runs the program until
 * Truffle has compiled it (uncounted warm-up runs), then times N runs of compiled code; {@code -j}
 * says how many warm-up runs that took and how long, beside bpftool's retval and duration.
 */
class ProgRunWarmupTest {
    private static final Path PROGS = Path.of("..", "testdata").toAbsolutePath().normalize();
    private static final Pattern JSON = Pattern.compile("\\{\"retval\":(-?\\d+),\"duration\":(\\d+),\"warmup_runs\":(\\d+),"
            + "\"compile_ms\":(\\d+),\"compiled\":(true|false)}\\s*");

    private static Path frame(Path dir) throws Exception {
        Path in = dir.resolve("frame.bin");
        Files.write(in, FrameBuilder.udp(FrameBuilder.Endpoint.parse("10.0.0.3:5353"),
                FrameBuilder.Endpoint.parse("10.0.0.1:53"), "warm"));
        return in;
    }

    private static Matcher json(String... args) {
        MainTest.Run r = MainTest.run(args);
        assertEquals(0, r.code(), r.err());
        Matcher m = JSON.matcher(r.out());
        assertTrue(m.matches(), r.out());
        return m;
    }

    /** The warm-up stops at the first run that left through compiled code, and does not count the timed runs. */
    @Test
    void warmUpStopsWhenTheProgramRunsCompiled() {
        int[] runs = {0};
        ProgRun.Warmup w = ProgRun.warmUp(() -> {
            runs[0]++;
            return new RunResult(0, null, null, 1);
        }, () -> runs[0] >= 37, 1_000_000, 600_000);
        assertEquals(37, w.runs());
        assertEquals(37, runs[0]);
        assertTrue(w.compiled());
    }

    @Test
    void warmUpStopsAtAFaultOrAtTheLimit() {
        int[] runs = {0};
        ProgRun.Warmup fault = ProgRun.warmUp(() -> {
            runs[0]++;
            return new RunResult(0, null, runs[0] == 5 ? "insn 3: out of bounds" : null, 1);
        }, () -> false, 1_000_000, 600_000);
        assertEquals(5, fault.runs());
        assertFalse(fault.compiled());
        ProgRun.Warmup never = ProgRun.warmUp(() -> new RunResult(0, null, null, 1), () -> false, 1000, 600_000);
        assertEquals(1000, never.runs());
        assertFalse(never.compiled());
    }

    /**
     * Through the command: the fields are there, and they tell the truth about each other — compiled
     * code was reached before the limit, or the warm-up ran into its limit and says it is not compiled.
     */
    @Test
    void repeatReportsTheWarmUpBesideRetvalAndDuration(@TempDir Path dir) throws Exception {
        Path in = frame(dir);
        Matcher m = json("-j", "prog", "run", "file", PROGS.resolve("progs/parser.o").toString(), "name", "parse_flow",
                "data_in", in.toString(), "repeat", "50");
        int warmup = Integer.parseInt(m.group(3));
        long ms = Long.parseLong(m.group(4));
        assertTrue(warmup >= 1, m.group());
        if (m.group(5).equals("true")) {
            assertTrue(warmup < ProgRun.WARMUP_LIMIT_RUNS, m.group());
        } else {
            assertTrue(warmup == ProgRun.WARMUP_LIMIT_RUNS || ms >= ProgRun.WARMUP_LIMIT_MS, m.group());
        }
        MainTest.Run text = MainTest.run("prog", "run", "file", PROGS.resolve("progs/parser.o").toString(), "name",
                "parse_flow", "data_in", in.toString(), "repeat", "5");
        assertTrue(text.out().matches("Return value: 0, duration \\(average\\): \\d+ns\\s*"), text.out());
    }

    @Test
    void oneRunIsNotWarmedUp(@TempDir Path dir) throws Exception {
        Matcher m = json("-j", "prog", "run", "file", PROGS.resolve("progs/parser.o").toString(), "name", "parse_flow",
                "data_in", frame(dir).toString());
        assertEquals("0", m.group(3), "warm-up runs without repeat");
        assertEquals("false", m.group(5), "a single run is interpreted");
    }

    /** The warm-up does not change what the program computes: the same r0 and bytes as one cold run. */
    @Test
    void warmAndColdRunsAgree(@TempDir Path dir) throws Exception {
        Path in = frame(dir);
        String obj = PROGS.resolve("progs/nat.o").toString();
        Path cold = dir.resolve("cold.out");
        Path warm = dir.resolve("warm.out");
        Matcher c = json("-j", "prog", "run", "file", obj, "name", "dnat", "data_in", in.toString(), "data_out",
                cold.toString());
        Matcher w = json("-j", "prog", "run", "file", obj, "name", "dnat", "data_in", in.toString(), "data_out",
                warm.toString(), "repeat", "20");
        assertEquals(c.group(1), w.group(1), "retval");
        assertEquals(java.util.HexFormat.of().formatHex(Files.readAllBytes(cold)),
                java.util.HexFormat.of().formatHex(Files.readAllBytes(warm)), "data_out");
    }
}
