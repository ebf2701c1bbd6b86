package dev.tcxsim.cli.pcap;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The files we write are read by the real tcpdump (Debian's package, installed by scripts/setup.sh). */
class PcapTcpdumpTest {
    private static final Path TCPDUMP = Path.of("/usr/bin/tcpdump");

    private static List<String> tcpdump(Path file) throws IOException, InterruptedException {
        if (!Files.isExecutable(TCPDUMP)) {
            System.out.println("PcapTcpdumpTest skipped: " + TCPDUMP + " is not installed (scripts/setup.sh installs it)");
            Assumptions.abort(TCPDUMP + " is not installed");
        }
        ProcessBuilder pb = new ProcessBuilder(TCPDUMP.toString(), "-r", file.toString(), "-nn", "-e")
                .redirectErrorStream(false);
        pb.environment().put("TZ", "UTC");
        Path err = Files.createTempFile(file.getParent(), "tcpdump", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tcpdump did not finish within 30 s");
        }
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), "tcpdump failed: " + stderr);
        assertTrue(stderr.contains("reading from file"), stderr);
        List<String> lines = new ArrayList<>(new String(out, StandardCharsets.UTF_8).lines().toList());
        return lines;
    }

    private static void writeTwoFrames(PcapWriter w) throws IOException {
        w.write("veth0", PcapRoundTripTest.A);
        w.write("veth1", PcapRoundTripTest.B);
    }

    private static void assertTwoFrames(List<String> lines) {
        assertEquals(2, lines.size(), String.join("\n", lines));
        String first = lines.get(0);
        assertTrue(first.startsWith("15:30:00.123456 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800)"),
                first);
        assertTrue(first.contains("10.0.0.1.1234 > 10.0.0.2.5678: UDP, length 16"), first);
        assertTrue(first.contains("length " + PcapRoundTripTest.A.length + ":"), first);
        String second = lines.get(1);
        assertTrue(second.startsWith("15:30:00.124456 02:00:00:00:00:02 > 02:00:00:00:00:01"), second);
        assertTrue(second.contains("10.0.0.2.5678 > 10.0.0.1.1234: UDP, length 5"), second);
    }

    @Test
    void tcpdumpReadsOurClassicPcap(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("frames.pcap");
        try (PcapWriter w = PcapWriter.create(f, PcapWriter.Format.PCAP, PcapRoundTripTest.ticking(
                PcapRoundTripTest.T0))) {
            writeTwoFrames(w);
        }
        assertTwoFrames(tcpdump(f));
    }

    @Test
    void tcpdumpReadsOurPcapngWithSeveralInterfaces(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("frames.pcapng");
        try (PcapWriter w = PcapWriter.create(f, PcapWriter.Format.PCAPNG, PcapRoundTripTest.ticking(
                PcapRoundTripTest.T0))) {
            w.declareDevice("lo");
            writeTwoFrames(w);
        }
        assertTwoFrames(tcpdump(f));
    }

    @Test
    void tcpdumpSeesTheSnaplenTruncation(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("short.pcapng");
        try (PcapWriter w = PcapWriter.create(f, PcapWriter.Format.PCAPNG,
                InstantSource.fixed(Instant.parse("2026-11-25T00:00:01Z")), 38)) {
            w.write("veth0", PcapRoundTripTest.A);
        }
        List<String> lines = tcpdump(f);
        assertEquals(1, lines.size(), String.join("\n", lines));
        String line = lines.getFirst();
        assertTrue(line.startsWith("00:00:01.000000 02:00:00:00:00:01 > 02:00:00:00:00:02"), line);
        assertTrue(line.contains("length " + PcapRoundTripTest.A.length + ":"), "original length: " + line);
        assertTrue(line.contains("10.0.0.1.1234 > 10.0.0.2.5678"), "38 bytes hold the UDP ports: " + line);
    }
}
