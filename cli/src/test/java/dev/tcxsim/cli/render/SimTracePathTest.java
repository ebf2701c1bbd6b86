package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.NetPicture.Outcome;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.NetPicture.StepKind;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.sim.TraceEvent;
import dev.tcxsim.kernel.sim.TraceEvent.Kind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SimTracePathTest {
    private static TraceEvent event(Kind kind, String dev, String hook, String verdict, int target, String reason) {
        return new TraceEvent(kind, dev, hook, 0, "", 0, 0, 0, 0, verdict, target, reason, List.of(), List.of());
    }

    private static TraceEvent run(String dev, String hook, int id, String name, int link, int ret, String verdict,
                                  String reason) {
        return new TraceEvent(Kind.TCX_RUN, dev, hook, id, name, link, 0, 0, ret, verdict, 0, reason,
                List.of("hello"), List.of("m[0]=1"));
    }

    @Test
    void verdictsGetTheirUapiNamesAndFaultsTheirReason() {
        PacketPath p = SimTracePath.of(List.of(
                event(Kind.TRANSMIT, "veth0", "", "", 0, ""),
                run("veth0", "egress", 1, "a", 4, -1, "NEXT", ""),
                run("veth0", "egress", 2, "b", 0, 3, "UNKNOWN", ""),
                event(Kind.RECEIVE, "veth1", "", "", 0, ""),
                run("veth1", "ingress", 3, "c", 0, 0, "PASS", ""),
                run("veth1", "ingress", 4, "d", 0, 2, "DROP", "fault: r1 out of bounds"),
                event(Kind.DROP, "veth1", "ingress", "dropped", 0, "TC_INGRESS")), i -> null);
        assertEquals(List.of(StepKind.TCX, StepKind.TCX, StepKind.TRANSMIT, StepKind.TCX, StepKind.TCX),
                p.steps().stream().map(NetPicture.Step::kind).toList());
        assertEquals("TCX_NEXT", p.steps().get(0).verdict());
        assertEquals("TC_ACT_PIPE → unknown: ends the chain, classic tc runs", p.steps().get(1).verdict());
        assertEquals("veth1 ingress", p.steps().get(2).target());
        assertEquals(TcDirection.INGRESS, p.steps().get(3).hook());
        assertEquals("TC_ACT_OK → TCX_PASS", p.steps().get(3).verdict());
        assertEquals("TCX_DROP: fault: r1 out of bounds", p.steps().get(4).verdict());
        assertEquals(List.of("hello"), p.steps().get(4).printk());
        assertEquals(List.of("m[0]=1"), p.steps().get(4).mapWrites());
        assertEquals(4, p.steps().get(0).linkId());
        assertEquals(new NetPicture.Fate(Outcome.DROPPED, "veth1", "dropped on veth1: TC_INGRESS"), p.fate());
    }

    @Test
    void aRedirectIsOneStepAndNotAlsoATransmit() {
        PacketPath p = SimTracePath.of(List.of(
                event(Kind.TRANSMIT, "veth0", "", "", 0, ""),
                run("veth0", "egress", 1, "r", 0, 7, "REDIRECT", ""),
                event(Kind.REDIRECT, "veth0", "egress", "redirect to ingress", 9, ""),
                event(Kind.RECEIVE, "eth9", "", "", 0, ""),
                event(Kind.DELIVER, "eth9", "", "delivered", 0, "udp 10.0.0.2:53")),
                i -> i == 9 ? "eth9" : null);
        assertEquals(List.of(StepKind.TCX, StepKind.REDIRECT), p.steps().stream().map(NetPicture.Step::kind).toList());
        assertEquals("eth9 ingress", p.steps().get(1).target());
        assertEquals("delivered on eth9: udp 10.0.0.2:53", p.fate().text());
        assertEquals(Outcome.DELIVERED, p.fate().outcome());
    }

    @Test
    void aTraceWithoutAFateSaysSo() {
        PacketPath p = SimTracePath.of(List.of(event(Kind.TRANSMIT, "veth0", "", "", 0, "")), i -> null);
        assertEquals(List.of(), p.steps());
        assertNull(p.fate().device());
        assertEquals("the trace records no fate", p.fate().text());
    }
}
