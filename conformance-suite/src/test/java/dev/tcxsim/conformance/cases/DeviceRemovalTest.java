package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.VethPair;
import dev.tcxsim.tcx.Errno;

import static dev.tcxsim.conformance.cases.Tcx.EGRESS;
import static dev.tcxsim.conformance.cases.Tcx.INGRESS;
import static dev.tcxsim.conformance.cases.Tcx.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Device unregister: plain attachments go, links turn defunct (section 3.3). */
class DeviceRemovalTest {
    @KernelTest
    void linksTurnDefunctAndTheHookIsGone(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "rm0");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0), b = Tcx.load(p, "b", 0), c = Tcx.load(p, "c", 0);
        Tcx.attach(p, dev, a);
        int l = p.linkCreate(b, dev, INGRESS, 0, 0, 0);
        p.objPin(l, "tcxsim_case_rm0");
        k.deleteDevice("rm0");
        assertEquals(0, p.linkInfo(l).ifindex());
        assertEquals(INGRESS, p.linkInfo(l).attachType());
        errno(Errno.ENOLINK, () -> p.linkUpdate(l, c, 0, 0));
        p.linkDetach(l);
        errno(Errno.ENODEV, () -> Tcx.query(p, dev));
        errno(Errno.ENODEV, () -> Tcx.attach(p, dev, c));
        errno(Errno.ENODEV, () -> k.ifindex("rm0"));
        p.unpin("tcxsim_case_rm0");
    }

    @KernelTest
    void deletingOneVethEndDeletesBoth(Kernel k) throws Exception {
        VethPair v = k.addVeth("rm1a", "rm1b");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0);
        p.progAttach(v.peerIfindex(), EGRESS, a, 0, 0, 0, 0);
        k.deleteDevice("rm1a");
        errno(Errno.ENODEV, () -> k.ifindex("rm1b"));
        assertTrue(k.devices().stream().noneMatch(d -> d.name().startsWith("rm1")));
        errno(Errno.ENODEV, () -> k.deleteDevice("rm1b"));
    }

    @KernelTest
    void nameClashesAndMissingDevices(Kernel k) throws Exception {
        Tcx.dummy(k, "rm2");
        errno(Errno.EEXIST, () -> k.addDummy("rm2"));
        errno(Errno.ENODEV, () -> k.deleteDevice("rm2nothere"));
        errno(Errno.ENODEV, () -> k.qdiscAddClsact("rm2nothere"));
    }
}
