package dev.tcxsim.cli;

import dev.tcxsim.cli.pcap.PcapPacket;
import dev.tcxsim.cli.pcap.PcapReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** packet send on the simulator: the aligned trace, pcap out and in, and the pictures. */
class PacketCommandTest {
    private static final Path LESSONS = Path.of("..", "examples", "progs", "lessons.o").toAbsolutePath().normalize();

    private static MainTest.Run batch(Path dir, String... lines) throws Exception {
        Path script = dir.resolve("script.tcx");
        Files.write(script, List.of(lines));
        return MainTest.run("batch", "file", script.toString());
    }

    @Test
    void aTracedPacketShowsEveryProgramItsVerdictAndItsFate(@TempDir Path dir) throws Exception {
        MainTest.Run r = batch(dir,
                "dev add veth0 type veth peer veth1",
                "dev addr veth1 192.0.2.2/24",
                "packet listen udp 192.0.2.2:53",
                "prog load " + LESSONS + " count",
                "net attach tcx_ingress name audit dev veth1",
                "net attach tcx_ingress name deny dev veth1",
                "packet send dev veth0 udp 192.0.2.9:4000 192.0.2.2:53 trace --write-pcap " + dir.resolve("out.pcapng")
                        + " --svg " + dir.resolve("p.svg") + " --html " + dir.resolve("p.html"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("\"audit\""), r.out());
        assertTrue(r.out().contains("-1 TCX_NEXT"), r.out());
        assertTrue(r.out().contains("2 TCX_DROP"), r.out());
        assertTrue(r.out().contains("printk: audit: 48 bytes"), r.out());
        assertTrue(r.out().contains("delivered to: (no socket of this session)"), r.out());
        List<PcapPacket> frames = PcapReader.readAll(dir.resolve("out.pcapng"));
        assertEquals(1, frames.size(), "one frame arrived on veth1");
        assertEquals("veth1", frames.getFirst().interfaceName());
        assertEquals(48, frames.getFirst().data().length);
        String svg = Files.readString(dir.resolve("p.svg"));
        assertTrue(svg.contains("audit") && svg.contains("deny"), svg);
        assertTrue(Files.readString(dir.resolve("p.html")).contains("deny"));
    }

    @Test
    void framesComeFromAPcapFileOneAfterAnother(@TempDir Path dir) throws Exception {
        Path capture = dir.resolve("two.pcap");
        MainTest.Run first = batch(dir,
                "dev add veth0 type veth peer veth1",
                "packet send dev veth0 udp 192.0.2.9:1 192.0.2.2:53 --write-pcap " + capture,
                "packet send dev veth0 udp 192.0.2.9:2 192.0.2.2:53");
        assertEquals(0, first.code(), first.err());
        assertEquals(1, PcapReader.readAll(capture).size());
        MainTest.Run replay = batch(dir,
                "dev add veth0 type veth peer veth1",
                "packet send dev veth0 pcap " + capture);
        assertEquals(0, replay.code(), replay.err());
        assertTrue(replay.out().contains("arrived on: veth1"), replay.out());
    }

    @Test
    void ingressMeansTheFrameArrivesOnTheDevice(@TempDir Path dir) throws Exception {
        MainTest.Run r = batch(dir,
                "dev add veth0 type veth peer veth1",
                "dev add d0",
                "packet send dev veth1 ingress udp 192.0.2.9:1 192.0.2.2:53 trace",
                "packet send dev d0 ingress udp 192.0.2.9:1 192.0.2.2:53");
        assertTrue(r.out().contains("veth0  egress") && r.out().contains("arrived on: veth1"), r.out());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'ingress' needs a veth"), r.err());
    }

    @Test
    void aMissingCaptureIsOneClearError(@TempDir Path dir) throws Exception {
        MainTest.Run r = batch(dir, "dev add veth0 type veth peer veth1",
                "packet send dev veth0 pcap " + dir.resolve("nope.pcap"));
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("Error: cannot read capture"), r.err());
    }
}
