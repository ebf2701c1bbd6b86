package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.LinkInfo;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.tcx.Errno;

import static dev.tcxsim.conformance.cases.Tcx.BEFORE;
import static dev.tcxsim.conformance.cases.Tcx.EGRESS;
import static dev.tcxsim.conformance.cases.Tcx.INGRESS;
import static dev.tcxsim.conformance.cases.Tcx.REPLACE;
import static dev.tcxsim.conformance.cases.Tcx.errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** tcx links: create, info, update, detach, auto-detach on last close, pins (sections 2.5, 3.2, 5). */
class LinkLifecycleTest {
    @KernelTest
    void linkInfoNamesTheHook(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "lnk0");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0);
        int l = p.linkCreate(a, dev, EGRESS, 0, 0, 0);
        LinkInfo info = p.linkInfo(l);
        assertEquals(Uapi.BPF_LINK_TYPE_TCX, info.type());
        assertEquals(Tcx.id(p, a), info.progId());
        assertEquals(dev, info.ifindex());
        assertEquals(EGRESS, info.attachType());
    }

    @KernelTest
    void createErrnos(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "lnk1");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0), b = Tcx.load(p, "b", 0);
        Tcx.attach(p, dev, a);
        errno(Errno.EEXIST, () -> p.linkCreate(a, dev, INGRESS, 0, 0, 0));              // plainly attached already
        errno(Errno.ENOENT, () -> p.linkCreate(b, dev, INGRESS, REPLACE, 0, 0));        // no old program to replace
        errno(Errno.EINVAL, () -> p.linkCreate(b, dev, INGRESS, Uapi.BPF_F_ALLOW_MULTI, 0, 0));
        errno(Errno.ESTALE, () -> p.linkCreate(b, dev, INGRESS, 0, 0, 42));
        errno(Errno.ENODEV, () -> p.linkCreate(b, dev + 100, INGRESS, 0, 0, 0));
        errno(Errno.EBADF, () -> p.linkCreate(999, dev, INGRESS, 0, 0, 0));
        assertEquals(1, Tcx.query(p, dev).count());
    }

    @KernelTest
    void updateRules(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "lnk2");
        BpfProcess p = k.process("app");
        int plain = Tcx.load(p, "plain", 0), a = Tcx.load(p, "a", 0), b = Tcx.load(p, "b", 0), c = Tcx.load(p, "c", 0);
        Tcx.attach(p, dev, plain);
        int l = p.linkCreate(a, dev, INGRESS, BEFORE, 0, 0);
        errno(Errno.EEXIST, () -> p.linkUpdate(l, plain, 0, 0));
        errno(Errno.EPERM, () -> p.linkUpdate(l, b, REPLACE, c));
        errno(Errno.EINVAL, () -> p.linkUpdate(l, b, 0, a));                 // old fd without REPLACE
        errno(Errno.EINVAL, () -> p.linkUpdate(l, b, BEFORE, 0));
        errno(Errno.EBUSY, () -> p.progAttach(dev, INGRESS, b, REPLACE, 0, a, 0));  // plain replace of the link's prog
        p.linkUpdate(l, b, REPLACE, a);
        assertArrayEquals(Tcx.ids(p, b, plain), Tcx.order(p, dev));           // position kept
        assertEquals(Tcx.id(p, b), p.linkInfo(l).progId());
    }

    @KernelTest
    void detachLeavesADefunctLink(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "lnk3");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0), b = Tcx.load(p, "b", 0);
        int l = p.linkCreate(a, dev, INGRESS, 0, 0, 0);
        p.linkDetach(l);
        assertEquals(0, Tcx.query(p, dev).count());
        LinkInfo info = p.linkInfo(l);
        assertEquals(0, info.ifindex());
        assertEquals(INGRESS, info.attachType());
        assertEquals(Tcx.id(p, a), info.progId());
        errno(Errno.ENOLINK, () -> p.linkUpdate(l, b, 0, 0));
        p.linkDetach(l);                                                       // again: still fine
    }

    @KernelTest
    void lastCloseAutoDetaches(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "lnk4");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0);
        int l = p.linkCreate(a, dev, INGRESS, 0, 0, 0);
        int lid = Tcx.linkId(p, l);
        int again = p.linkGetFdById(lid);
        p.close(l);
        assertEquals(1, Tcx.query(p, dev).count());                            // a second fd still holds it
        p.close(again);
        assertEquals(0, Tcx.query(p, dev).count());
        errno(Errno.ENOENT, () -> p.linkGetFdById(lid));
        errno(Errno.EBADF, () -> p.close(l));
    }

    @KernelTest
    void pinKeepsTheLinkPastProcessExit(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "lnk5");
        BpfProcess loader = k.process("loader");
        int a = Tcx.load(loader, "a", 0);
        int aid = Tcx.id(loader, a);
        int l = loader.linkCreate(a, dev, INGRESS, 0, 0, 0);
        loader.objPin(l, "tcxsim_case_lnk5");
        loader.exit();
        BpfProcess other = k.process("other");
        assertArrayEquals(new int[] {aid}, Tcx.order(other, dev));
        int fd = other.objGet("tcxsim_case_lnk5");
        assertEquals(dev, other.linkInfo(fd).ifindex());
        other.unpin("tcxsim_case_lnk5");
        assertEquals(1, Tcx.query(other, dev).count());                        // the new fd holds it
        other.close(fd);
        assertEquals(0, Tcx.query(other, dev).count());
        errno(Errno.ENOENT, () -> other.objGet("tcxsim_case_lnk5"));
    }

    @KernelTest
    void plainAttachmentsSurviveProcessExit(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "lnk6");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0);
        int aid = Tcx.id(p, a);
        Tcx.attach(p, dev, a);
        p.exit();
        BpfProcess other = k.process("other");
        assertArrayEquals(new int[] {aid}, Tcx.order(other, dev));
        int fd = other.progGetFdById(aid);                                     // the hook keeps the program alive
        other.progDetach(dev, INGRESS, fd, 0, 0, 0);
        assertEquals(0, Tcx.query(other, dev).count());
    }
}
