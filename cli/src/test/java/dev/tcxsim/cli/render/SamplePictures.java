package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.NetPicture.ClassicFilter;
import dev.tcxsim.cli.render.NetPicture.Device;
import dev.tcxsim.cli.render.NetPicture.Fate;
import dev.tcxsim.cli.render.NetPicture.Hook;
import dev.tcxsim.cli.render.NetPicture.Outcome;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.NetPicture.Step;
import dev.tcxsim.cli.render.NetPicture.TcxProg;

import java.util.List;

import static dev.tcxsim.kernel.TcDirection.EGRESS;
import static dev.tcxsim.kernel.TcDirection.INGRESS;

/**
 * The pictures the render tests draw: a veth pair and a dummy device; a chain of three programs
 * (links and a plain attachment) on veth0 egress, two on veth1 ingress, classic filters on three
 * hooks, and a packet that passes veth0's chain, crosses the pair, is redirected by veth1's second
 * program and leaves through dum0's classic filter.
 */
final class SamplePictures {
    static final List<String> PROGRAM_NAMES = List.of("count", "policy_v2", "mark_egress", "legacy_ingress",
            "fw_ingress", "redir_to_dummy", "cls_audit", "cls_fallback", "tc_shaper");

    private SamplePictures() {
    }

    static List<Device> devices() {
        Device veth0 = new Device(2, "veth0", "veth", "veth1",
                new Hook(1, List.of(), List.of(new ClassicFilter(1, 1, 20, "legacy_ingress", true))),
                new Hook(6, List.of(new TcxProg(0, 12, "count", 3), new TcxProg(1, 14, "policy_v2", 0),
                        new TcxProg(2, 15, "mark_egress", 5)), List.of()));
        Device veth1 = new Device(3, "veth1", "veth", "veth0",
                new Hook(3, List.of(new TcxProg(0, 21, "fw_ingress", 7), new TcxProg(1, 22, "redir_to_dummy", 0)),
                        List.of(new ClassicFilter(1, 1, 30, "cls_audit", true),
                                new ClassicFilter(2, 2, 31, "cls_fallback", false))),
                Hook.empty());
        Device dum0 = new Device(4, "dum0", "dummy", null, Hook.empty(),
                new Hook(1, List.of(), List.of(new ClassicFilter(10, 0x10, 40, "tc_shaper", true))));
        return List.of(veth0, dum0, veth1);
    }

    static PacketPath path() {
        return new PacketPath(List.of(
                Step.tcx("veth0", EGRESS, 12, "count", 3, -1, "TCX_NEXT")
                        .withOutput(List.of("count: seen 1 packets"), List.of("counts[0]=1")),
                Step.tcx("veth0", EGRESS, 14, "policy_v2", 0, -1, "TCX_NEXT"),
                Step.tcx("veth0", EGRESS, 15, "mark_egress", 5, -1, "TCX_NEXT"),
                Step.transmit("veth0", "veth1 ingress"),
                Step.tcx("veth1", INGRESS, 21, "fw_ingress", 7, -1, "TCX_NEXT"),
                Step.tcx("veth1", INGRESS, 22, "redir_to_dummy", 0, 7, "TCX_REDIRECT"),
                Step.redirect("veth1", INGRESS, "dum0 egress"),
                Step.classic("dum0", EGRESS, 10, 0x10, 40, "tc_shaper", 0, "TC_ACT_OK")),
                new Fate(Outcome.TRANSMITTED, "dum0", "transmitted on dum0"));
    }

    static NetPicture withPath() {
        return new NetPicture("tcxsim packet send dev veth0 udp 10.0.0.1:1234 10.0.0.2:5678", devices(), path());
    }

    static NetPicture withoutPath() {
        return new NetPicture("tcxsim net show", devices());
    }
}
