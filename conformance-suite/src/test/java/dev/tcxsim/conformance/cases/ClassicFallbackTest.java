package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.TcFilter;
import dev.tcxsim.tcx.Errno;

import java.util.List;

import static dev.tcxsim.conformance.cases.Tcx.errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** tcx first, then classic tc (clsact + cls_bpf) when the chain says NEXT (sections 6.5, 7; live rows 15 - 21). */
class ClassicFallbackTest {
    static final TcDirection IN = TcDirection.INGRESS;

    static void filter(Net n, int prio, int prog) throws Exception {
        n.k.filterAdd(n.p, "vb", IN, prio, 1, prog, true, false);
    }

    @KernelTest
    void classicRunsAfterAnAllNextChain(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        k.qdiscAddClsact("vb");
        n.attachIngress(n.counting("t0", 0, -1));
        n.attachIngress(n.counting("t1", 1, -1));
        filter(n, 1, n.counting("cls", 2, 2));
        n.send("hello");
        assertArrayEquals(new long[] {1, 1, 1}, n.counts(3));
        assertEquals(0, n.delivered());
    }

    @KernelTest
    void passSkipsTheRestAndClassic(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        k.qdiscAddClsact("vb");
        n.attachIngress(n.counting("t0", 0, 0));
        n.attachIngress(n.counting("t1", 1, -1));
        filter(n, 1, n.counting("cls", 2, 2));
        n.send("hello");
        assertArrayEquals(new long[] {1, 0, 0}, n.counts(3));
        assertEquals(1, n.delivered());
    }

    @KernelTest
    void unknownCodesStopTcxButFallThroughToClassic(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        k.qdiscAddClsact("vb");
        filter(n, 1, n.counting("cls", 2, 2));
        int second = n.counting("t1", 1, -1);
        int expectedDrops = 0;
        for (int code : new int[] {4, 8, 42, -2}) {
            n.resetRuns();
            int first = n.counting("t" + (code & 0xff), 0, code);
            n.attachIngress(first);
            n.attachIngress(second);
            n.send("code " + code);
            assertArrayEquals(new long[] {1, 0, 1}, n.counts(3), "first program returned " + code);
            assertEquals(0, n.delivered(), "classic said SHOT after code " + code);
            n.p.progDetach(n.veth.peerIfindex(), Tcx.INGRESS, first, 0, 0, 0);
            n.p.progDetach(n.veth.peerIfindex(), Tcx.INGRESS, second, 0, 0, 0);
            expectedDrops++;
        }
        assertEquals(4, expectedDrops);
    }

    @KernelTest
    void directActionCodes(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        k.qdiscAddClsact("vb");
        int[][] rows = {{-1, 1}, {4, 0}, {42, 1}, {0, 1}, {2, 0}};   // da return, delivered?
        int delivered = 0;
        for (int[] row : rows) {
            int prog = n.counting("cls" + (row[0] & 0xff), 0, row[0]);
            n.k.filterAdd(n.p, "vb", IN, 1, 1, prog, true, true);
            n.send("da " + row[0]);
            delivered += row[1];
            assertEquals(delivered, n.delivered(), "cls_bpf da returned " + row[0]);
        }
        assertEquals(rows.length, n.runs(0));
    }

    @KernelTest
    void unspecMovesOnToTheNextPrio(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        k.qdiscAddClsact("vb");
        filter(n, 2, n.counting("drop", 1, 2));
        filter(n, 1, n.counting("unspec", 0, -1));
        n.send("hello");
        assertArrayEquals(new long[] {1, 1}, n.counts(2));
        assertEquals(0, n.delivered());
        List<TcFilter> fs = k.filters("vb", IN);
        assertEquals(List.of(1, 2), fs.stream().map(TcFilter::prio).toList());
    }

    @KernelTest
    void replaceAtTheSamePrioAndHandleIsSilent(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        k.qdiscAddClsact("vb");
        int cls1 = n.counting("cls1", 0, 0);
        int cls2 = n.counting("cls2", 1, 2);
        k.filterAdd(n.p, "vb", IN, 1, 1, cls1, true, false);
        errno(Errno.EEXIST, () -> k.filterAdd(n.p, "vb", IN, 1, 1, cls2, true, false));
        k.filterAdd(n.p, "vb", IN, 1, 1, cls2, true, true);              // the other app's filter is gone
        List<TcFilter> fs = k.filters("vb", IN);
        assertEquals(1, fs.size());
        assertEquals(Tcx.id(n.p, cls2), fs.getFirst().progId());
        n.send("hello");
        assertArrayEquals(new long[] {0, 1}, n.counts(2));
        assertEquals(0, n.delivered());
    }

    @KernelTest
    void classicNeedsTheQdiscAndTcxDoesNot(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        int cls = n.counting("cls", 0, 2);
        errno(Errno.EINVAL, () -> filter(n, 1, cls));
        errno(Errno.EEXIST, () -> {
            k.qdiscAddClsact("vb");
            k.qdiscAddClsact("vb");
        });
        filter(n, 1, cls);
        n.attachIngress(n.counting("t0", 1, -1));
        k.qdiscDelClsact("vb");                                           // filters go, tcx stays
        assertEquals(1, Tcx.query(n.p, n.veth.peerIfindex()).count());
        n.send("hello");
        assertArrayEquals(new long[] {0, 1}, n.counts(2));
        assertEquals(1, n.delivered());
    }
    @KernelTest
    void egressClassicVerdicts(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        PacketTap onVb = k.tap("vb");
        k.qdiscAddClsact("va");
        int eg = TcDirection.EGRESS.attachType();
        n.p.progAttach(n.veth.ifindex(), eg, n.counting("t0", 0, 4), 0, 0, 0, 0);     // unknown code: classic runs
        int stolen = n.counting("stolen", 1, 4);
        k.filterAdd(n.p, "va", TcDirection.EGRESS, 1, 1, stolen, true, false);
        n.send("stolen");                                                             // consumed: sendto succeeds
        assertEquals(0, onVb.frames().size());
        k.filterAdd(n.p, "va", TcDirection.EGRESS, 1, 1, n.counting("shot", 2, 2), true, true);
        errno(Errno.ENOBUFS, () -> n.send("shot"));                                  // SHOT: NET_XMIT_DROP
        k.filterAdd(n.p, "va", TcDirection.EGRESS, 1, 1, n.counting("ok", 3, 0), true, true);
        n.send("ok");
        assertArrayEquals(new long[] {3, 1, 1, 1}, n.counts(4));
        assertEquals(1, onVb.frames().size());
        assertEquals(1, n.delivered());
    }
}
