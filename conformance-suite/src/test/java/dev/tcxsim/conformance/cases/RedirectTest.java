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

    /**
     * The redirect target lives per CPU, not per program: the first program calls bpf_redirect and
     * says TCX_NEXT, the second only returns TCX_REDIRECT, and the packet goes where the first asked.
     */
    @KernelTest
    void aRedirectSetByAnEarlierProgramIsUsedByALaterVerdict(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        VethPair w = k.addVeth("wa", "wb");
        PacketTap onWb = k.tap("wb");
        int setsTarget = n.p.progLoad(dev.tcxsim.vm.elf.ProgramSpec.raw("sets_target", Tcx.SCHED_CLS,
                0xb7L | 1 << 8 | (long) w.ifindex() << 32,                  // r1 = ifindex of wa
                0xb7L | 2 << 8,                                             // r2 = 0
                0x85L | (long) Net.BPF_FUNC_REDIRECT << 32,                 // call bpf_redirect
                0xb7L | 0xffffffffL << 32,                                  // r0 = -1 (TCX_NEXT)
                0x95L), new int[0]);
        int saysRedirect = n.p.progLoad(dev.tcxsim.vm.elf.ProgramSpec.raw("says_redirect", Tcx.SCHED_CLS,
                0xb7L | 7L << 32, 0x95L), new int[0]);                   // r0 = 7; exit
        n.attachIngress(setsTarget);
        n.attachIngress(saysRedirect);
        n.send("hello");
        assertEquals(1, onWb.frames().size());                          // redirected out of wa, in at wb
        assertEquals(1, n.delivered());                                 // one namespace: wb's stack takes vb's address
    }
}
