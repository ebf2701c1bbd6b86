package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.UdpSocket;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.VethPair;
import dev.tcxsim.tcx.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's own behaviour: traces, static keys, references, classic tc, redirect loops. */
class SimKernelTest {
    static final int IN = Uapi.BPF_TCX_INGRESS;
    final SimKernel k = new SimKernel();
    final BpfProcess p = k.process("test");

    @AfterEach
    void close() {
        k.close();
    }

    VethPair net() throws BpfException {
        VethPair v = k.addVeth("va", "vb");
        k.addAddress("vb", "192.0.2.2/24");
        return v;
    }

    int load(String name, int code) throws BpfException {
        return p.progLoad(Progs.ret(name, code), new int[0]);
    }

    void send() throws BpfException {
        k.transmit("va", Progs.udp("192.0.2.2", 5000, "hi".getBytes()));
    }

    @Test
    void loopbackIsIfindexOneAndDevicesCountUp() throws BpfException {
        assertEquals(1, k.ifindex("lo"));
        VethPair v = k.addVeth("a0", "b0");
        assertEquals(3, v.ifindex());
        assertEquals(2, v.peerIfindex());
        assertEquals(4, k.addDummy("d0"));
        assertThrows(BpfException.class, () -> k.addDummy("a-name-longer-than-15"));
    }

    @Test
    void traceLinkIdsFollowLinkChangesWhileTheProgramsStayTheSame() throws BpfException {
        VethPair v = net();
        k.udpListen("192.0.2.2", 5000);
        int a = load("first", -1);
        int b = load("second", 0);
        p.progAttach(v.peerIfindex(), IN, a, 0, 0, 0, 0);
        int l = p.linkCreate(b, v.peerIfindex(), IN, 0, 0, 0);
        send(); // builds and caches the chain with b's link id
        p.linkDetach(l); // b leaves the chain ...
        p.progAttach(v.peerIfindex(), IN, b, 0, 0, 0, 0); // ... and comes back in the same place, without a link
        send();
        List<TraceEvent> runs = k.lastTrace().events().stream()
                .filter(e -> e.kind() == TraceEvent.Kind.TCX_RUN).toList();
        assertEquals(List.of("first", "second"), runs.stream().map(TraceEvent::progName).toList());
        assertEquals(0, runs.get(1).linkId(), "the program is a plain attachment now: " + runs);
        int l2 = p.linkCreate(load("third", 0), v.peerIfindex(), IN, 0, 0, 0);
        p.progDetach(v.peerIfindex(), IN, b, 0, 0, 0);
        send();
        runs = k.lastTrace().events().stream().filter(e -> e.kind() == TraceEvent.Kind.TCX_RUN).toList();
        assertEquals(List.of("first", "third"), runs.stream().map(TraceEvent::progName).toList());
        assertEquals(p.linkInfo(l2).id(), runs.get(1).linkId());
        assertEquals(3, p.progInfo(a).runCount(), "each of the three packets ran the first program once");
    }

    @Test
    void traceNamesEveryStepAndTheFate() throws BpfException {
        VethPair v = net();
        UdpSocket s = k.udpListen("192.0.2.2", 5000);
        int a = load("first", -1);
        int b = load("second", 0);
        p.progAttach(v.peerIfindex(), IN, a, 0, 0, 0, 0);
        int l = p.linkCreate(b, v.peerIfindex(), IN, 0, 0, 0);
        send();
        Trace t = k.lastTrace();
        List<TraceEvent> runs = t.events().stream().filter(e -> e.kind() == TraceEvent.Kind.TCX_RUN).toList();
        assertEquals(2, runs.size(), t.toString());
        assertEquals("first", runs.get(0).progName());
        assertEquals(p.progInfo(a).id(), runs.get(0).progId());
        assertEquals(0, runs.get(0).linkId());
        assertEquals("NEXT", runs.get(0).verdict());
        assertEquals(p.linkInfo(l).id(), runs.get(1).linkId());
        assertEquals("PASS", runs.get(1).verdict());
        assertEquals("vb", runs.get(1).device());
        assertEquals("ingress", runs.get(1).hook());
        assertEquals(TraceEvent.Kind.DELIVER, t.fate().kind());
        assertEquals(1, s.received().size());
        assertEquals(1, p.progInfo(a).runCount());
    }

    @Test
    void dropReasonNamesTheHook() throws BpfException {
        VethPair v = net();
        p.progAttach(v.peerIfindex(), IN, load("drop", 2), 0, 0, 0, 0);
        send();
        assertEquals(TraceEvent.Kind.DROP, k.lastTrace().fate().kind());
        assertEquals("TC_INGRESS", k.lastTrace().fate().reason());
        p.progAttach(v.ifindex(), Uapi.BPF_TCX_EGRESS, load("edrop", 2), 0, 0, 0, 0);
        BpfException e = assertThrows(BpfException.class, this::send);
        assertEquals(Errno.ENOBUFS, e.errno());
        assertEquals("TC_EGRESS", k.lastTrace().fate().reason());
    }

    @Test
    void staticKeysCountInsertsNotReplaces() throws BpfException {
        int dev = k.addDummy("d0");
        int a = load("a", 0), b = load("b", 0), c = load("c", 0);
        p.progAttach(dev, IN, a, 0, 0, 0, 0);
        p.progAttach(dev, IN, b, 0, 0, 0, 0);
        assertEquals(2, k.tcxNeededKey());
        p.progAttach(dev, IN, c, Uapi.BPF_F_REPLACE, 0, a, 0);
        assertEquals(2, k.tcxNeededKey());
        assertEquals(2, k.neededKeyCount(TcDirection.INGRESS));
        k.qdiscAddClsact("d0");
        assertEquals(3, k.neededKeyCount(TcDirection.INGRESS));
        assertEquals(1, k.neededKeyCount(TcDirection.EGRESS));
        p.progDetach(dev, IN, c, 0, 0, 0);
        assertEquals(1, k.tcxNeededKey());
        k.deleteDevice("d0");
        assertEquals(0, k.tcxNeededKey());
        assertEquals(0, k.neededKeyCount(TcDirection.INGRESS));
        assertEquals(0, k.neededKeyCount(TcDirection.EGRESS));
    }

    @Test
    void programIdsLiveAsLongAsAReference() throws BpfException {
        int dev = k.addDummy("d0");
        int a = load("a", 0);
        int id = p.progInfo(a).id();
        p.progAttach(dev, IN, a, 0, 0, 0, 0);
        p.close(a);
        int again = p.progGetFdById(id);                   // the attachment keeps it
        p.progDetach(dev, IN, again, 0, 0, 0);
        p.close(again);
        BpfException e = assertThrows(BpfException.class, () -> p.progGetFdById(id));
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void classicTcAfterAllNextAndCbIsSharedAlongTheChain() throws BpfException {
        VethPair v = net();
        UdpSocket s = k.udpListen("192.0.2.2", 5000);
        k.qdiscAddClsact("vb");
        p.progAttach(v.peerIfindex(), IN, p.progLoad(Progs.writeCb("wcb"), new int[0]), 0, 0, 0, 0);
        k.filterAdd(p, "vb", TcDirection.INGRESS, 1, 1, p.progLoad(Progs.dropIfCb("cbdrop"), new int[0]), true, false);
        send();
        List<TraceEvent> classic = k.lastTrace().events().stream().filter(e -> e.kind() == TraceEvent.Kind.CLASSIC_RUN).toList();
        assertEquals(1, classic.size(), k.lastTrace().toString());
        assertEquals("SHOT", classic.getFirst().verdict());
        assertEquals(0, s.received().size());
        k.filterAdd(p, "vb", TcDirection.INGRESS, 1, 1, load("ok", 0), true, true);
        send();
        assertEquals(1, s.received().size());
        assertEquals("ok", k.filters("vb", TcDirection.INGRESS).getFirst().progName());
    }

    @Test
    void classicNonDirectActionUsesTheClassid() throws BpfException {
        VethPair v = net();
        UdpSocket s = k.udpListen("192.0.2.2", 5000);
        k.qdiscAddClsact("vb");
        k.filterAdd(p, "vb", TcDirection.INGRESS, 1, 1, load("nomatch", 0), false, false);
        k.filterAdd(p, "vb", TcDirection.INGRESS, 2, 1, load("match", 0x10002), false, false);
        send();
        List<TraceEvent> classic = k.lastTrace().events().stream().filter(e -> e.kind() == TraceEvent.Kind.CLASSIC_RUN).toList();
        assertEquals(2, classic.size());
        assertEquals("UNSPEC (classid 0)", classic.get(0).verdict());
        assertEquals("OK (classid 10002)", classic.get(1).verdict());
        assertEquals(1, s.received().size());
    }

    @Test
    void redirectLoopsStopAtTheRecursionLimit() throws BpfException {
        VethPair v = net();
        // vb's ingress sends every frame back out of va, whose peer is vb again: a loop
        p.progAttach(v.peerIfindex(), IN, p.progLoad(Progs.redirect("loop", v.ifindex(), 0), new int[0]), 0, 0, 0, 0);
        send();
        Trace t = k.lastTrace();
        assertEquals(TraceEvent.Kind.DROP, t.fate().kind(), t.toString());
        assertTrue(t.fate().reason().startsWith("XMIT_RECURSION"), t.fate().reason());
        long redirects = t.events().stream().filter(e -> e.kind() == TraceEvent.Kind.REDIRECT).count();
        // eight nested transmits go through; the ninth redirect is the one the guard drops
        assertEquals(Datapath.RECURSION_LIMIT + 1, redirects);
    }

    @Test
    void tapsSeeWhatArrivesEvenWhenIngressDrops() throws BpfException {
        VethPair v = net();
        PacketTap tap = k.tap("vb");
        p.progAttach(v.peerIfindex(), IN, load("drop", 2), 0, 0, 0, 0);
        send();
        assertEquals(1, tap.frames().size());
        tap.close();
        send();
        assertEquals(1, tap.frames().size());
    }

    @Test
    void pinsAreOneNamespacePerKernel() throws BpfException {
        int a = load("a", 0);
        p.objPin(a, "progs/a");
        assertEquals(Errno.EEXIST, assertThrows(BpfException.class, () -> p.objPin(a, "progs/a")).errno());
        try (SimKernel other = new SimKernel()) {
            BpfProcess q = other.process("q");
            assertEquals(Errno.ENOENT, assertThrows(BpfException.class, () -> q.objGet("progs/a")).errno());
        }
        int fd = p.objGet("progs/a");
        assertEquals(p.progInfo(a).id(), p.progInfo(fd).id());
        p.unpin("progs/a");
        assertEquals(Errno.ENOENT, assertThrows(BpfException.class, () -> p.unpin("progs/a")).errno());
    }
    @Test
    void traceCarriesMapWritesAndPrintkLines() throws BpfException {
        VethPair v = net();
        int map = p.mapCreate(dev.tcxsim.vm.elf.MapSpec.of("seen", 2, 4, 8, 1, 0));
        p.progAttach(v.peerIfindex(), IN, p.progLoad(Progs.writeAndPrint("tell", map), new int[0]), 0, 0, 0, 0);
        send();
        TraceEvent run = k.lastTrace().events().stream().filter(e -> e.kind() == TraceEvent.Kind.TCX_RUN)
                .findFirst().orElseThrow();
        assertEquals("", run.reason(), k.lastTrace().toString());
        assertEquals(List.of("seen[00000000]=2a00000000000000"), run.mapWrites());
        assertEquals(List.of("hi"), run.printk());
        assertEquals(42, p.mapLookup(map, new byte[4])[0]);
    }
    @Test
    void redirectNeighIsApproximatedAsATransmitOnTheTarget() throws BpfException {
        VethPair v = net();
        VethPair w = k.addVeth("wa", "wb");
        PacketTap onWb = k.tap("wb");
        p.progAttach(v.peerIfindex(), IN, p.progLoad(Progs.redirectNeigh("neigh", w.ifindex()), new int[0]), 0, 0, 0, 0);
        send();
        assertEquals(1, onWb.frames().size(), k.lastTrace().toString());
        assertTrue(k.lastTrace().events().stream().anyMatch(e -> e.kind() == TraceEvent.Kind.REDIRECT
                && e.target() == w.ifindex() && e.verdict().startsWith("redirect_neigh")));
    }
    @Test
    void closeRemovesEverythingAndIsIdempotent() throws BpfException {
        VethPair v = net();
        int a = load("a", 0);
        p.progAttach(v.peerIfindex(), IN, a, 0, 0, 0, 0);
        p.objPin(a, "keep");
        k.close();
        k.close();
        assertEquals(0, k.tcxNeededKey());
        assertTrue(k.devices().isEmpty(), "devices left: " + k.devices());
        assertTrue(k.progs.isEmpty(), "programs left: " + k.progs);
    }
}
