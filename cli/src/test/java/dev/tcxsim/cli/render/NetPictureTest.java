package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.NetPicture.Device;
import dev.tcxsim.cli.render.NetPicture.Fate;
import dev.tcxsim.cli.render.NetPicture.Hook;
import dev.tcxsim.cli.render.NetPicture.Outcome;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.NetPicture.Step;
import dev.tcxsim.cli.render.NetPicture.TcxProg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static dev.tcxsim.kernel.TcDirection.EGRESS;
import static dev.tcxsim.kernel.TcDirection.INGRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A picture whose facts do not fit together is refused with a sentence that names the misfit. */
class NetPictureTest {
    private static Device dev(String name, String peer) {
        return new Device(1, name, peer == null ? "dummy" : "veth", peer, Hook.empty(), Hook.empty());
    }

    private static void refused(Executable build, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
        }
    }

    @Test
    void duplicateDeviceNames() {
        refused(() -> new NetPicture("t", List.of(dev("a", null), dev("a", null))), "device a appears twice");
    }

    @Test
    void peerMustExistAndPointBack() {
        refused(() -> new NetPicture("t", List.of(dev("veth0", "veth9"))), "veth0 names peer veth9",
                "not in the picture");
        refused(() -> new NetPicture("t", List.of(dev("veth0", "veth1"), dev("veth1", null))),
                "veth0 names peer veth1 but veth1 names no peer");
    }

    @Test
    void pathMustStayOnKnownDevices() {
        Fate fate = new Fate(Outcome.DELIVERED, "a", "delivered on a");
        refused(() -> new NetPicture("t", List.of(dev("a", null)), new PacketPath(List.of(
                Step.tcx("a", EGRESS, 1, "p", 0, -1, "TCX_NEXT"), Step.tcx("b", INGRESS, 2, "q", 0, 0, "TCX_PASS")),
                fate)), "path step 2 is on device b");
        refused(() -> new NetPicture("t", List.of(dev("a", null)), new PacketPath(List.of(),
                new Fate(Outcome.DROPPED, "zz", "dropped"))), "fate names device zz");
    }

    @Test
    void tcxPositionsMustIncrease() {
        refused(() -> new Hook(2, List.of(new TcxProg(1, 5, "a", 0), new TcxProg(0, 6, "b", 0)), List.of()),
                "positions must increase", "1 then 0");
    }

    @Test
    void lookupsFindWhatIsAttached() {
        NetPicture p = SamplePictures.withPath();
        Device veth0 = p.device("veth0");
        assertEquals("policy_v2", veth0.hook(EGRESS).tcxProg(14).progName());
        assertEquals("plain", veth0.hook(EGRESS).tcxProg(14).owner());
        assertEquals("link 3", veth0.hook(EGRESS).tcxProg(12).owner());
        assertEquals(null, veth0.hook(INGRESS).tcxProg(14));
        assertEquals("cls_fallback", p.device("veth1").ingress().classicFilter(2, 2).progName());
        assertEquals(null, p.device("nope"));
    }
}
