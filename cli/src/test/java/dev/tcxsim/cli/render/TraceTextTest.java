package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.NetPicture.Fate;
import dev.tcxsim.cli.render.NetPicture.Outcome;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.NetPicture.Step;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static dev.tcxsim.kernel.TcDirection.EGRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceTextTest {
    static String resource(String name) throws IOException {
        try (InputStream in = TraceTextTest.class.getResourceAsStream("/render/" + name)) {
            assertTrue(in != null, "missing test resource render/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void sampleTraceMatchesTheGoldenFile() throws IOException {
        assertEquals(resource("sample-trace.txt"), TraceText.render(SamplePictures.path()));
    }

    @Test
    void verdictColumnLinesUpWhateverTheNameLengths() {
        PacketPath p = new PacketPath(List.of(
                Step.tcx("a", EGRESS, 1, "x", 0, -1, "TCX_NEXT"),
                Step.tcx("a-much-longer-device", EGRESS, 123456, "a_rather_long_name", 99, 2, "TCX_DROP")),
                new Fate(Outcome.DROPPED, "a-much-longer-device", "dropped: TC_EGRESS"));
        List<String> lines = TraceText.render(p).lines().toList();
        assertEquals(3, lines.size());
        int first = lines.get(0).indexOf("TCX_NEXT");
        int second = lines.get(1).indexOf("TCX_DROP");
        assertEquals(first, second, "verdict names start in one column:\n" + String.join("\n", lines));
        assertEquals(lines.get(0).indexOf("-1 TCX_NEXT") + 1, lines.get(1).indexOf("2 TCX_DROP"),
                "return values right-aligned");
        assertTrue(lines.get(1).contains("prog 123456 \"a_rather_long_name\"  link 99"), lines.get(1));
        assertTrue(lines.get(0).contains("prog 1 \"x\""), lines.get(0));
        assertTrue(lines.get(0).contains("plain"), lines.get(0));
        assertEquals("     fate: dropped: TC_EGRESS", lines.get(2), "fate indented like the step text");
    }

    @Test
    void jsonHasEveryFactOfEveryStep() {
        Map<String, Object> json = TraceText.json(SamplePictures.path());
        List<?> steps = (List<?>) json.get("steps");
        assertEquals(8, steps.size());
        Map<?, ?> first = (Map<?, ?>) steps.get(0);
        assertEquals(1, first.get("step"));
        assertEquals("tcx", first.get("kind"));
        assertEquals("veth0", first.get("device"));
        assertEquals("egress", first.get("hook"));
        assertEquals(12, first.get("prog_id"));
        assertEquals("count", first.get("prog_name"));
        assertEquals(3, first.get("link_id"));
        assertEquals(-1, first.get("return_value"));
        assertEquals("TCX_NEXT", first.get("verdict"));
        assertEquals(List.of("count: seen 1 packets"), first.get("printk"));
        assertEquals(List.of("counts[0]=1"), first.get("map_writes"));
        Map<?, ?> xmit = (Map<?, ?>) steps.get(3);
        assertEquals("transmit", xmit.get("kind"));
        assertEquals("veth1 ingress", xmit.get("target"));
        assertTrue(!xmit.containsKey("verdict"), "a transmit has no verdict");
        Map<?, ?> classic = (Map<?, ?>) steps.get(7);
        assertEquals(10, classic.get("prio"));
        assertEquals(16, classic.get("handle"));
        assertEquals("TC_ACT_OK", classic.get("verdict"));
        Map<?, ?> fate = (Map<?, ?>) json.get("fate");
        assertEquals("transmitted", fate.get("outcome"));
        assertEquals("dum0", fate.get("device"));
        assertEquals("transmitted on dum0", fate.get("text"));
    }
}
