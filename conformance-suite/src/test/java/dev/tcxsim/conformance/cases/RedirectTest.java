package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.kernel.VethPair;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** bpf_redirect and friends from tc ingress (section 6.6). */
class RedirectTest {
    @KernelTest
    void redirectToAnotherDevicesEgress(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        VethPair w = k.addVeth("wa", "wb");
        PacketTap onWb = k.tap("wb");
        PacketTap onVb = k.tap("vb");
        n.p.progAttach(w.peerIfindex(), Tcx.INGRESS, n.counting("wb_in", 0, -1), 0, 0, 0, 0);
        n.attachIngress(n.redirect("redir", Net.BPF_FUNC_REDIRECT, w.ifindex(), 0));
        n.send("hello");
        assertEquals(1, onVb.frames().size());
        assertEquals(1, onWb.frames().size());                          // out of wa, in at wb
        assertEquals(1, n.runs(0));                                     // wb's ingress hook ran
    }

    @KernelTest
    void redirectIntoAnotherDevicesIngress(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        VethPair w = k.addVeth("wa", "wb");
        PacketTap onWa = k.tap("wa");
        PacketTap onWb = k.tap("wb");
        n.p.progAttach(w.ifindex(), Tcx.INGRESS, n.counting("wa_in", 0, -1), 0, 0, 0, 0);
        n.attachIngress(n.redirect("redir", Net.BPF_FUNC_REDIRECT, w.ifindex(), 1));   // BPF_F_INGRESS
        n.send("hello");
        assertEquals(1, onWa.frames().size());                          // received on wa itself
        assertEquals(0, onWb.frames().size());
        assertEquals(1, n.runs(0));
    }

    @KernelTest
    void redirectToAMissingDeviceDrops(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        n.attachIngress(n.redirect("redir", Net.BPF_FUNC_REDIRECT, 999, 0));
        n.send("hello");
        assertEquals(0, n.delivered());
    }

    @KernelTest
    void redirectPeerWithinOneNamespaceDrops(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        VethPair w = k.addVeth("wa", "wb");
        PacketTap onWb = k.tap("wb");
        n.attachIngress(n.redirect("peer", Net.BPF_FUNC_REDIRECT_PEER, w.ifindex(), 0));
        n.send("hello");
        assertEquals(0, onWb.frames().size());
        assertEquals(0, n.delivered());
    }
    @KernelTest
    void redirectFromEgress(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        VethPair w = k.addVeth("wa", "wb");
        PacketTap onVb = k.tap("vb");
        PacketTap onWb = k.tap("wb");
        n.p.progAttach(n.veth.ifindex(), Tcx.EGRESS, n.redirect("redir", Net.BPF_FUNC_REDIRECT, w.ifindex(), 0), 0, 0, 0, 0);
        n.send("hello");                                                // the redirect counts as sent
        assertEquals(0, onVb.frames().size());
        assertEquals(1, onWb.frames().size());
    }

    @KernelTest
    void redirectWithUnknownFlagsDrops(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        VethPair w = k.addVeth("wa", "wb");
        PacketTap onWb = k.tap("wb");
        n.attachIngress(n.redirect("redir", Net.BPF_FUNC_REDIRECT, w.ifindex(), 2));   // only BPF_F_INGRESS is valid
        n.send("hello");
        assertEquals(0, onWb.frames().size());
        assertEquals(0, n.delivered());
    }
}
