package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;

import static dev.tcxsim.conformance.cases.Tcx.AFTER;
import static dev.tcxsim.conformance.cases.Tcx.BEFORE;
import static dev.tcxsim.conformance.cases.Tcx.EGRESS;
import static dev.tcxsim.conformance.cases.Tcx.ID;
import static dev.tcxsim.conformance.cases.Tcx.INGRESS;
import static dev.tcxsim.conformance.cases.Tcx.LINK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Where attachments land: append, prepend, BEFORE/AFTER a program or link, by fd or id (section 2.2). */
class AttachOrderingTest {
    @KernelTest
    void plainAttachAppendsInOrder(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "ord0");
        BpfProcess p = k.process("app");
        int[] fds = Tcx.loadMany(p, "a", 3);
        for (int fd : fds) {
            Tcx.attach(p, dev, fd);
        }
        assertArrayEquals(Tcx.ids(p, fds), Tcx.order(p, dev));
    }

    @KernelTest
    void beforeAndAfterWithAndWithoutRelative(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "ord1");
        BpfProcess p = k.process("app");
        int p1 = Tcx.load(p, "p1", -1), p2 = Tcx.load(p, "p2", -1), p3 = Tcx.load(p, "p3", -1);
        int p4 = Tcx.load(p, "p4", -1), p5 = Tcx.load(p, "p5", -1);
        Tcx.attach(p, dev, p1);
        Tcx.attach(p, dev, p2, BEFORE, 0);                       // prepend
        Tcx.attach(p, dev, p3, AFTER, 0);                        // append
        Tcx.attach(p, dev, p4, BEFORE, p1);                      // directly before p1
        Tcx.attach(p, dev, p5, AFTER | ID, Tcx.id(p, p2));       // directly after p2, named by id
        assertArrayEquals(Tcx.ids(p, p2, p5, p4, p1, p3), Tcx.order(p, dev));
    }

    @KernelTest
    void relativeToALink(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "ord2");
        BpfProcess p = k.process("app");
        int p1 = Tcx.load(p, "p1", -1), p2 = Tcx.load(p, "p2", -1), p3 = Tcx.load(p, "p3", -1);
        int l1 = p.linkCreate(p1, dev, INGRESS, 0, 0, 0);
        Tcx.attach(p, dev, p2, BEFORE | LINK, l1);
        Tcx.attach(p, dev, p3, AFTER | LINK | ID, Tcx.linkId(p, l1));
        var q = Tcx.query(p, dev);
        assertArrayEquals(Tcx.ids(p, p2, p1, p3), q.progIds());
        assertArrayEquals(new int[] {0, Tcx.linkId(p, l1), 0}, q.linkIds());
    }

    @KernelTest
    void linksInsertWithTheSameRules(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "ord3");
        BpfProcess p = k.process("app");
        int p1 = Tcx.load(p, "p1", -1), p2 = Tcx.load(p, "p2", -1), p3 = Tcx.load(p, "p3", -1);
        p.linkCreate(p1, dev, INGRESS, 0, 0, 0);
        p.linkCreate(p2, dev, INGRESS, BEFORE, 0, 0);
        p.linkCreate(p3, dev, INGRESS, AFTER, p2, 0);
        assertArrayEquals(Tcx.ids(p, p2, p3, p1), Tcx.order(p, dev));
    }

    @KernelTest
    void hooksAndDevicesAreIndependent(Kernel k) throws Exception {
        int d1 = Tcx.dummy(k, "ord4");
        int d2 = Tcx.dummy(k, "ord5");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", -1), b = Tcx.load(p, "b", -1);
        Tcx.attach(p, d1, a);
        Tcx.attach(p, d1, b);
        p.progAttach(d1, EGRESS, a, 0, 0, 0, 0);                 // same program, other direction
        Tcx.attach(p, d2, b);                                    // same program, other device
        assertArrayEquals(Tcx.ids(p, a, b), Tcx.order(p, d1));
        assertArrayEquals(Tcx.ids(p, a), p.progQuery(d1, EGRESS, 0, 8).progIds());
        assertArrayEquals(Tcx.ids(p, b), Tcx.order(p, d2));
    }
}
