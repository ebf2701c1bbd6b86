package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.vm.elf.ProgramSpec;

import static dev.tcxsim.conformance.cases.Tcx.AFTER;
import static dev.tcxsim.conformance.cases.Tcx.BEFORE;
import static dev.tcxsim.conformance.cases.Tcx.ID;
import static dev.tcxsim.conformance.cases.Tcx.INGRESS;
import static dev.tcxsim.conformance.cases.Tcx.LINK;
import static dev.tcxsim.conformance.cases.Tcx.REPLACE;
import static dev.tcxsim.conformance.cases.Tcx.errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** BPF_PROG_ATTACH's errnos and the order in which the kernel checks them (section 2.3). */
class AttachErrnoTest {
    @KernelTest
    void flagMaskIsCheckedBeforeTheDevice(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "err0");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0);
        int missing = dev + 100;
        errno(Errno.EINVAL, () -> p.progAttach(missing, INGRESS, a, Uapi.BPF_F_ALLOW_MULTI, 0, 0, 0));
        errno(Errno.EINVAL, () -> p.progAttach(dev, INGRESS, a, Uapi.BPF_F_PREORDER, 0, 0, 0));
        errno(Errno.EINVAL, () -> p.progAttach(dev, INGRESS, a, 1 << 7, 0, 0, 0));
        errno(Errno.ENODEV, () -> p.progAttach(missing, INGRESS, a, 0, 0, 0, 0));
        assertEquals(0, Tcx.query(p, dev).count());
    }

    @KernelTest
    void programFdErrnos(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "err1");
        BpfProcess p = k.process("app");
        errno(Errno.EBADF, () -> Tcx.attach(p, dev, 999));
        errno(Errno.EINVAL, () -> Tcx.attach(p, dev, 0));        // stdin is no program
        int a = Tcx.load(p, "a", 0);
        int l = p.linkCreate(a, dev, INGRESS, 0, 0, 0);
        errno(Errno.EINVAL, () -> Tcx.attach(p, dev, l));        // a link fd is no program
        int act = p.progLoad(ProgramSpec.raw("act", Uapi.BPF_PROG_TYPE_SCHED_ACT, 0xb7L, 0x95L),
                new int[0]);
        errno(Errno.EINVAL, () -> Tcx.attach(p, dev, act));      // tcx takes SCHED_CLS only
        errno(Errno.EINVAL, () -> p.linkCreate(act, dev, INGRESS, 0, 0, 0));
        errno(Errno.EINVAL, () -> p.linkUpdate(l, act, 0, 0));
    }

    @KernelTest
    void staleRevisionWinsOverDuplicate(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "err2");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0);
        Tcx.attach(p, dev, a);
        long rev = Tcx.revision(p, dev);
        errno(Errno.ESTALE, () -> p.progAttach(dev, INGRESS, a, 0, 0, 0, rev + 5));
        errno(Errno.EEXIST, () -> p.progAttach(dev, INGRESS, a, 0, 0, 0, rev));
        errno(Errno.EEXIST, () -> Tcx.attach(p, dev, a, BEFORE, 0));
        int b = Tcx.load(p, "b", 0);
        p.progAttach(dev, INGRESS, b, 0, 0, 0, rev);            // the right revision is accepted
        assertEquals(rev + 1, Tcx.revision(p, dev));
    }

    @KernelTest
    void relativeObjectErrnos(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "err3");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0);
        Tcx.attach(p, dev, a);
        int n = Tcx.load(p, "n", 0);
        int unattached = Tcx.load(p, "u", 0);
        errno(Errno.ENOENT, () -> Tcx.attach(p, dev, n, BEFORE, unattached));
        errno(Errno.ENOENT, () -> Tcx.attach(p, dev, n, BEFORE | ID, 0));
        errno(Errno.ENOENT, () -> Tcx.attach(p, dev, n, AFTER | ID, 0x7ffffff0));
        errno(Errno.EBADF, () -> Tcx.attach(p, dev, n, BEFORE, 999));
        errno(Errno.ERANGE, () -> Tcx.attach(p, dev, n, BEFORE | AFTER, 0));
        errno(Errno.ERANGE, () -> Tcx.attach(p, dev, n, BEFORE | AFTER, a));
        errno(Errno.EINVAL, () -> Tcx.attach(p, dev, n, 0, a));          // R without BEFORE/AFTER
        errno(Errno.EINVAL, () -> Tcx.attach(p, dev, n, LINK, 0));       // lone BPF_F_LINK
        errno(Errno.ENOENT, () -> Tcx.attach(p, dev, n, ID, 0));         // lone BPF_F_ID: id 0 is looked up first
        errno(Errno.EINVAL, () -> Tcx.attach(p, dev, n, BEFORE | LINK, 0));
        errno(Errno.EINVAL, () -> Tcx.attach(p, dev, n, BEFORE | LINK, a)); // a program fd is no link
        assertEquals(2, Tcx.revision(p, dev));
        assertEquals(1, Tcx.query(p, dev).count());
    }

    @KernelTest
    void replaceErrnos(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "err4");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0), b = Tcx.load(p, "b", 0), c = Tcx.load(p, "c", 0);
        Tcx.attach(p, dev, a);
        Tcx.attach(p, dev, b);
        int n = Tcx.load(p, "n", 0);
        errno(Errno.ENOENT, () -> p.progAttach(dev, INGRESS, n, REPLACE, 0, c, 0));   // old not attached
        errno(Errno.EINVAL, () -> p.progAttach(dev, INGRESS, n, REPLACE, 0, 0, 0));   // fd 0 is no program
        errno(Errno.EBADF, () -> p.progAttach(dev, INGRESS, n, REPLACE, 0, 999, 0));
        int lp = Tcx.load(p, "lp", 0);
        p.linkCreate(lp, dev, INGRESS, 0, 0, 0);
        errno(Errno.EBUSY, () -> p.progAttach(dev, INGRESS, n, REPLACE, 0, lp, 0));   // link-owned slot
        long rev = Tcx.revision(p, dev);
        p.progAttach(dev, INGRESS, n, REPLACE | BEFORE, b, a, 0);                     // a sits right before b
        assertArrayEquals(Tcx.ids(p, n, b, lp), Tcx.order(p, dev));
        assertEquals(rev + 1, Tcx.revision(p, dev));
    }

    @KernelTest
    void capacityIs63AndIsCheckedBeforeTheRelative(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "err5");
        BpfProcess p = k.process("app");
        int[] fds = Tcx.loadMany(p, "c", 63);
        for (int fd : fds) {
            Tcx.attach(p, dev, fd);
        }
        int extra = Tcx.load(p, "extra", 0);
        int unattached = Tcx.load(p, "u", 0);
        long rev = Tcx.revision(p, dev);
        errno(Errno.ERANGE, () -> Tcx.attach(p, dev, extra));
        errno(Errno.ERANGE, () -> Tcx.attach(p, dev, extra, BEFORE, 0));
        errno(Errno.ERANGE, () -> Tcx.attach(p, dev, extra, AFTER, fds[62]));
        errno(Errno.ERANGE, () -> Tcx.attach(p, dev, extra, BEFORE, fds[0]));
        errno(Errno.ERANGE, () -> Tcx.attach(p, dev, extra, BEFORE, unattached));
        errno(Errno.ERANGE, () -> p.linkCreate(extra, dev, INGRESS, 0, 0, 0));
        errno(Errno.EEXIST, () -> Tcx.attach(p, dev, fds[3]));
        errno(Errno.ESTALE, () -> p.progAttach(dev, INGRESS, extra, 0, 0, 0, rev + 1));
        assertEquals(rev, Tcx.revision(p, dev));
        p.progAttach(dev, INGRESS, extra, REPLACE, 0, fds[10], 0);                   // replace at capacity works
        var q = Tcx.query(p, dev);
        assertEquals(63, q.count());
        assertEquals(Tcx.id(p, extra), q.progIds()[10]);
    }
    @KernelTest
    void replaceWithBeforeOrAfterAloneNeverAgrees(Kernel k) throws Exception {
        // BEFORE without a relative means position -1, AFTER without one means position count:
        // neither is a slot, so REPLACE (which names a slot) never agrees with them.
        int dev = Tcx.dummy(k, "err6");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0), b = Tcx.load(p, "b", 0), n = Tcx.load(p, "n", 0);
        Tcx.attach(p, dev, a);
        Tcx.attach(p, dev, b);
        errno(Errno.ERANGE, () -> p.progAttach(dev, INGRESS, n, REPLACE | BEFORE, 0, a, 0));
        errno(Errno.ERANGE, () -> p.progAttach(dev, INGRESS, n, REPLACE | AFTER, 0, b, 0));
        errno(Errno.ERANGE, () -> p.progAttach(dev, INGRESS, n, REPLACE | AFTER, b, a, 0));
        p.progAttach(dev, INGRESS, n, REPLACE | AFTER, a, b, 0);                      // b sits right after a
        assertArrayEquals(Tcx.ids(p, a, n), Tcx.order(p, dev));
    }
}
