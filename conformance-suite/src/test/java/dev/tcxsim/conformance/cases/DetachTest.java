package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.tcx.Errno;

import static dev.tcxsim.conformance.cases.Tcx.AFTER;
import static dev.tcxsim.conformance.cases.Tcx.BEFORE;
import static dev.tcxsim.conformance.cases.Tcx.INGRESS;
import static dev.tcxsim.conformance.cases.Tcx.LINK;
import static dev.tcxsim.conformance.cases.Tcx.REPLACE;
import static dev.tcxsim.conformance.cases.Tcx.errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** BPF_PROG_DETACH: which slot goes, and the errnos in the kernel's order (section 3.1). */
class DetachTest {
    static void detach(BpfProcess p, int dev, int progFd, int flags, int rel) throws Exception {
        p.progDetach(dev, INGRESS, progFd, flags, rel, 0);
    }

    @KernelTest
    void noEntryAtAllIsEnoent(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "det0");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0);
        errno(Errno.ENOENT, () -> detach(p, dev, 0, 0, 0));
        errno(Errno.ENOENT, () -> detach(p, dev, a, 0, 0));
        errno(Errno.ENODEV, () -> detach(p, dev + 100, a, 0, 0));
        errno(Errno.EINVAL, () -> detach(p, dev + 100, a, 1 << 1, 0));   // flag mask before the device
    }

    @KernelTest
    void positionalDetachLikeTheSelftests(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "det1");
        BpfProcess p = k.process("app");
        int[] f = Tcx.loadMany(p, "d", 4);
        for (int fd : f) {
            Tcx.attach(p, dev, fd);
        }
        detach(p, dev, f[0], BEFORE, f[1]);                            // f0 sits before f1
        assertArrayEquals(Tcx.ids(p, f[1], f[2], f[3]), Tcx.order(p, dev));
        errno(Errno.ENOENT, () -> detach(p, dev, f[0], BEFORE, f[1]));  // f0 is gone
        errno(Errno.ERANGE, () -> detach(p, dev, f[1], BEFORE, f[3]));  // f1 is not before f3
        errno(Errno.ENOENT, () -> detach(p, dev, f[1], BEFORE, f[0]));  // relative not attached
        errno(Errno.ERANGE, () -> detach(p, dev, f[1], AFTER, f[1]));
        detach(p, dev, 0, AFTER, f[1]);                                 // the slot after f1
        assertArrayEquals(Tcx.ids(p, f[1], f[3]), Tcx.order(p, dev));
        detach(p, dev, 0, BEFORE, 0);                                   // the first
        assertArrayEquals(Tcx.ids(p, f[3]), Tcx.order(p, dev));
        detach(p, dev, 0, AFTER, 0);                                    // the last
        assertEquals(0, Tcx.query(p, dev).count());
    }

    @KernelTest
    void noArgumentsRemovesTheLast(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "det2");
        BpfProcess p = k.process("app");
        int[] f = Tcx.loadMany(p, "d", 3);
        for (int fd : f) {
            Tcx.attach(p, dev, fd);
        }
        detach(p, dev, 0, 0, 0);
        assertArrayEquals(Tcx.ids(p, f[0], f[1]), Tcx.order(p, dev));
    }

    @KernelTest
    void errnoOrder(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "det3");
        BpfProcess p = k.process("app");
        int[] f = Tcx.loadMany(p, "d", 2);
        for (int fd : f) {
            Tcx.attach(p, dev, fd);
        }
        errno(Errno.EINVAL, () -> p.progDetach(dev, INGRESS, f[0], REPLACE, 0, 99));   // REPLACE before ESTALE
        errno(Errno.ESTALE, () -> p.progDetach(dev, INGRESS, f[0], 0, 0, 99));
        int u = Tcx.load(p, "u", 0);
        errno(Errno.ENOENT, () -> detach(p, dev, u, 0, 0));
        errno(Errno.EINVAL, () -> detach(p, dev, 0, 0, f[0]));          // R without BEFORE/AFTER
        errno(Errno.EINVAL, () -> detach(p, dev, 0, LINK, 0));
        errno(Errno.EBADF, () -> detach(p, dev, 999, 0, 0));
        errno(Errno.ERANGE, () -> detach(p, dev, f[0], AFTER, 0));      // f0 is not last
        errno(Errno.ERANGE, () -> detach(p, dev, f[1], BEFORE, 0));     // f1 is not first
        assertEquals(3, Tcx.revision(p, dev));
    }

    @KernelTest
    void detachLastAtCapacityIsErange(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "det4");
        BpfProcess p = k.process("app");
        int[] f = Tcx.loadMany(p, "c", 63);
        for (int fd : f) {
            Tcx.attach(p, dev, fd);
        }
        errno(Errno.ERANGE, () -> detach(p, dev, 0, 0, 0));
        errno(Errno.ERANGE, () -> detach(p, dev, 0, AFTER, 0));
        detach(p, dev, 0, BEFORE, 0);                                   // first: fine
        Tcx.attach(p, dev, f[0]);
        detach(p, dev, f[0], 0, 0);                                     // named: fine
        detach(p, dev, 0, 0, 0);                                        // 62 programs: last works again
        assertEquals(61, Tcx.query(p, dev).count());
    }

    @KernelTest
    void linkOwnedSlotsAreBusy(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "det5");
        BpfProcess p = k.process("app");
        int plain = Tcx.load(p, "plain", 0);
        int lp = Tcx.load(p, "lp", 0);
        Tcx.attach(p, dev, plain);
        int l = p.linkCreate(lp, dev, INGRESS, 0, 0, 0);
        errno(Errno.EBUSY, () -> detach(p, dev, lp, 0, 0));
        errno(Errno.EBUSY, () -> detach(p, dev, 0, 0, 0));             // the implicit last is the link
        errno(Errno.EBUSY, () -> detach(p, dev, 0, AFTER, 0));
        detach(p, dev, 0, BEFORE | LINK, l);                            // the plain one before the link
        assertArrayEquals(Tcx.ids(p, lp), Tcx.order(p, dev));
    }

    @KernelTest
    void clsactOnlyEntryDetachIsEnoent(Kernel k) throws Exception {
        Tcx.dummy(k, "det6");
        int dev = k.ifindex("det6");
        BpfProcess p = k.process("app");
        k.qdiscAddClsact("det6");
        int a = Tcx.load(p, "a", 0);
        errno(Errno.ENOENT, () -> detach(p, dev, 0, 0, 0));
        errno(Errno.ENOENT, () -> detach(p, dev, 0, BEFORE, 0));
        errno(Errno.ENOENT, () -> detach(p, dev, 0, AFTER, 0));
        errno(Errno.ENOENT, () -> detach(p, dev, a, 0, 0));
    }
    @KernelTest
    void beforeTheFirstOrAfterTheLastRemovesTheRelativeItself(Kernel k) throws Exception {
        // mprog computes position -1 (before the first) or count (after the last) and then
        // clamps it to the first / last slot, which is the relative program itself.
        int dev = Tcx.dummy(k, "det7");
        BpfProcess p = k.process("app");
        int[] f = Tcx.loadMany(p, "d", 3);
        for (int fd : f) {
            Tcx.attach(p, dev, fd);
        }
        detach(p, dev, 0, BEFORE, f[0]);
        assertArrayEquals(Tcx.ids(p, f[1], f[2]), Tcx.order(p, dev));
        detach(p, dev, 0, AFTER, f[2]);
        assertArrayEquals(Tcx.ids(p, f[1]), Tcx.order(p, dev));
    }
}
