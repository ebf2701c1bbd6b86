package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.conformance.harness.TestData;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.LoadedObjectFds;
import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.UdpSocket;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;

import static dev.tcxsim.conformance.cases.Tcx.errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a tcx chain's return values do to a packet (sections 6.2 - 6.4; live rows 14 - 19). */
class VerdictTest {
    @KernelTest
    void nextContinuesAndPassEndsTheChain(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        n.attachIngress(n.counting("c0", 0, -1));
        n.attachIngress(n.counting("c1", 1, 0));
        n.attachIngress(n.counting("c2", 2, 0));
        n.send("hello");
        assertArrayEquals(new long[] {1, 1, 0}, n.counts(3));
        assertEquals(1, n.delivered());
    }

    @KernelTest
    void dropEndsTheChainAndDrops(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        n.attachIngress(n.counting("c0", 0, 2));
        n.attachIngress(n.counting("c1", 1, 0));
        n.send("hello");
        assertArrayEquals(new long[] {1, 0}, n.counts(2));
        assertEquals(0, n.delivered());
    }

    @KernelTest
    void allNextOrNothingAttachedDelivers(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        n.send("bare");
        n.attachIngress(n.counting("c0", 0, -1));
        n.attachIngress(n.counting("c1", 1, -1));
        n.send("next");
        assertArrayEquals(new long[] {1, 1}, n.counts(2));
        assertEquals(2, n.delivered());
    }

    @KernelTest
    void redirectWithoutAHelperCallDrops(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        n.attachIngress(n.counting("c0", 0, 7));
        n.attachIngress(n.counting("c1", 1, -1));
        n.send("hello");
        assertArrayEquals(new long[] {1, 0}, n.counts(2));
        assertEquals(0, n.delivered());
    }

    @KernelTest
    void egressHookOfTheSenderRunsFirst(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        PacketTap tap = k.tap("vb");
        n.p.progAttach(n.veth.ifindex(), TcDirection.EGRESS.attachType(), n.counting("e0", 0, 2), 0, 0, 0, 0);
        n.attachIngress(n.counting("i0", 1, 0));
        errno(Errno.ENOBUFS, () -> n.send("hello"));             // sendto sees the egress NET_XMIT_DROP
        assertArrayEquals(new long[] {1, 0}, n.counts(2));
        assertEquals(0, tap.frames().size());                     // dropped before the wire
        assertEquals(0, n.delivered());
    }

    @KernelTest
    void theTapSeesFramesBeforeTcIngress(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        PacketTap tap = k.tap("vb");
        n.attachIngress(n.counting("c0", 0, 2));
        n.send("hello");
        assertEquals(1, n.runs(0));
        assertEquals(0, n.delivered());
        assertEquals(1, tap.frames().size());
    }
    @KernelTest
    void cbIsSharedAlongTheChain(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        // first: cb[0] = 42, NEXT; second: DROP when cb[0] == 42, else PASS
        n.attachIngress(n.p.progLoad(ProgramSpec.raw("wcb", Tcx.SCHED_CLS,
                0x62L | 1 << 8 | 48L << 16 | 42L << 32, 0xb7L | (long) -1 << 32, 0x95L), new int[0]));
        n.attachIngress(n.p.progLoad(ProgramSpec.raw("rcb", Tcx.SCHED_CLS,
                0x61L | 2 << 8 | 1 << 12 | 48L << 16, 0xb7L, 0x55L | 2 << 8 | 1L << 16 | 42L << 32,
                0xb7L | 2L << 32, 0x95L), new int[0]));
        n.send("hello");
        assertEquals(0, n.delivered());
    }
    @KernelTest
    void compiledObjectWithMapsAndGlobalData(Kernel k) throws Exception {
        Net n = new Net(k, "va", "vb");
        BpfObject obj = ElfLoader.load(TestData.prog("verdict.o"));
        LoadedObjectFds fds = n.p.loadObject(obj);
        n.attachIngress(fds.prog("verdict"));
        byte[] zero = new byte[4];
        n.send("one");                                              // .rodata verdict_value: TCX_NEXT
        assertEquals(1, n.delivered());
        n.p.mapUpdate(fds.map(".data"), zero, new byte[] {2, 0, 0, 0}, 0);   // verdict_override = TCX_DROP
        n.send("two");
        assertEquals(1, n.delivered());
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0, 0, 0}, n.p.mapLookup(fds.map("runs"), zero));
    }
    @KernelTest
    void loopbackRunsEgressThenIngressAndDropsTheMartian(Kernel k) throws Exception {
        BpfProcess p = k.process("lo");
        int lo = k.ifindex("lo");
        int counters = p.mapCreate(MapSpec.of("runs", 2, 4, 8, 2, 0));
        UdpSocket sock = k.udpListen("127.0.0.1", 5001);
        p.progAttach(lo, TcDirection.EGRESS.attachType(), p.progLoad(Net.countingSpec("lo_out", 0, -1, counters), new int[0]),
                0, 0, 0, 0);
        p.progAttach(lo, TcDirection.INGRESS.attachType(), p.progLoad(Net.countingSpec("lo_in", 1, 0, counters), new int[0]),
                0, 0, 0, 0);
        k.transmit("lo", Net.udpFrame("127.0.0.2", "127.0.0.1", 5001, new byte[] {'l', 'o'}));
        assertEquals(1, p.mapLookup(counters, new byte[] {0, 0, 0, 0})[0]);
        assertEquals(1, p.mapLookup(counters, new byte[] {1, 0, 0, 0})[0]);
        // A frame injected with AF_PACKET carries no route: 127.0.0.1 from the wire is a martian
        // destination (route_localnet is off), so the stack drops it after both hooks ran.
        assertEquals(0, sock.received().size());
    }
}
