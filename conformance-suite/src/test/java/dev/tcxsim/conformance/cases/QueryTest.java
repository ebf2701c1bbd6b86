package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.tcx.Errno;

import static dev.tcxsim.conformance.cases.Tcx.EGRESS;
import static dev.tcxsim.conformance.cases.Tcx.INGRESS;
import static dev.tcxsim.conformance.cases.Tcx.errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** BPF_PROG_QUERY (section 4). */
class QueryTest {
    @KernelTest
    void emptyHookReportsRevisionOne(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "q0");
        BpfProcess p = k.process("app");
        QueryResult q = p.progQuery(dev, EGRESS, 0, 8);
        assertEquals(0, q.errno());
        assertEquals(0, q.count());
        assertEquals(1, q.revision());
        assertEquals(0, q.attachFlags());
        assertEquals(0, q.progIds().length);
    }

    @KernelTest
    void shortBufferGivesEnospcWithTheRealTotal(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "q1");
        BpfProcess p = k.process("app");
        int[] f = Tcx.loadMany(p, "q", 4);
        for (int fd : f) {
            Tcx.attach(p, dev, fd);
        }
        QueryResult part = p.progQuery(dev, INGRESS, 0, 2);
        assertEquals(Errno.ENOSPC.number(), part.errno());
        assertEquals(4, part.count());
        assertEquals(5, part.revision());
        assertArrayEquals(Tcx.ids(p, f[0], f[1]), part.progIds());
        QueryResult none = p.progQuery(dev, INGRESS, 0, 0);
        assertEquals(0, none.errno());
        assertEquals(4, none.count());
        assertEquals(0, none.progIds().length);
        QueryResult exact = p.progQuery(dev, INGRESS, 0, 4);
        assertEquals(0, exact.errno());
        assertArrayEquals(Tcx.ids(p, f), exact.progIds());
    }

    @KernelTest
    void linkIdsPerSlot(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "q2");
        BpfProcess p = k.process("app");
        int a = Tcx.load(p, "a", 0), b = Tcx.load(p, "b", 0);
        Tcx.attach(p, dev, a);
        int l = p.linkCreate(b, dev, INGRESS, 0, 0, 0);
        QueryResult q = Tcx.query(p, dev);
        assertArrayEquals(Tcx.ids(p, a, b), q.progIds());
        assertArrayEquals(new int[] {0, Tcx.linkId(p, l)}, q.linkIds());
    }

    @KernelTest
    void badArguments(Kernel k) throws Exception {
        int dev = Tcx.dummy(k, "q3");
        BpfProcess p = k.process("app");
        errno(Errno.EINVAL, () -> p.progQuery(dev, INGRESS, 1, 8));          // BPF_F_QUERY_EFFECTIVE: not for tcx
        errno(Errno.EINVAL, () -> p.progQuery(dev, INGRESS, 2, 8));
        errno(Errno.ENODEV, () -> p.progQuery(dev + 100, INGRESS, 0, 8));
    }
}
