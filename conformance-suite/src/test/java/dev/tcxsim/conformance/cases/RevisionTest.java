package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.tcx.Errno;

import static dev.tcxsim.conformance.cases.Tcx.INGRESS;
import static dev.tcxsim.conformance.cases.Tcx.REPLACE;
import static dev.tcxsim.conformance.cases.Tcx.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The revision: +1 per successful change, untouched by failures and queries, restarts with a new entry (section 1.3). */
class RevisionTest {
    @KernelTest
    void everySuccessfulChangeCountsOnce(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "rev0");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0), b = Tcx.load(p, "b", 0), c = Tcx.load(p, "c", 0), d = Tcx.load(p, "d", 0);
        assertEquals(1, Tcx.revision(p, dev));
        Tcx.attach(p, dev, a);
        assertEquals(2, Tcx.revision(p, dev));
        p.progAttach(dev, INGRESS, b, REPLACE, 0, a, 0);
        assertEquals(3, Tcx.revision(p, dev));
        int l = p.linkCreate(c, dev, INGRESS, 0, 0, 0);
        assertEquals(4, Tcx.revision(p, dev));
        p.linkUpdate(l, d, 0, 0);
        assertEquals(5, Tcx.revision(p, dev));
        p.linkUpdate(l, d, 0, 0);                                   // same program: no change
        assertEquals(5, Tcx.revision(p, dev));
        errno(Errno.EEXIST, () -> Tcx.attach(p, dev, b));           // failures do not count
        Tcx.query(p, dev);
        assertEquals(5, Tcx.revision(p, dev));
        p.linkDetach(l);
        assertEquals(6, Tcx.revision(p, dev));
        p.linkDetach(l);                                            // already defunct: no change
        assertEquals(6, Tcx.revision(p, dev));
    }

    @KernelTest
    void restartsAtOneWhenTheEntryIsFreed(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "rev1");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0);
        Tcx.attach(p, dev, a);
        p.progDetach(dev, INGRESS, a, 0, 0, 0);
        assertEquals(1, Tcx.revision(p, dev));
        Tcx.attach(p, dev, a);
        assertEquals(2, Tcx.revision(p, dev));
    }

    @KernelTest
    void clsactKeepsTheEntryAlive(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "rev2");
        BpfProcess p = k.process("app");
        k.qdiscAddClsact("rev2");
        int a = Tcx.load(p, "a", 0);
        assertEquals(1, Tcx.revision(p, dev));
        Tcx.attach(p, dev, a);
        assertEquals(2, Tcx.revision(p, dev));
        p.progDetach(dev, INGRESS, a, 0, 0, 0);
        assertEquals(3, Tcx.revision(p, dev));
        Tcx.attach(p, dev, a);
        assertEquals(4, Tcx.revision(p, dev));
        k.qdiscDelClsact("rev2");
        assertEquals(4, Tcx.revision(p, dev));
        assertEquals(1, Tcx.query(p, dev).count());                 // deleting clsact leaves tcx alone
    }
}
