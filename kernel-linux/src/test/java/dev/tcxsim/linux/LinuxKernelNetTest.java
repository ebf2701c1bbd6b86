package dev.tcxsim.linux;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.DeviceInfo;
import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.TcFilter;
import dev.tcxsim.kernel.UdpSocket;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.VethPair;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.vm.elf.ProgramSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Devices, addresses, clsact + cls_bpf and the datapath observation points on the real kernel. */
class LinuxKernelNetTest {
    private static final byte[] SRC_IP = {(byte) 198, 51, 100, 7};   // not local: passes the martian check
    private static final byte[] DST_IP = {(byte) 192, 0, 2, 2};

    private LinuxKernel kernel;
    private BpfProcess proc;

    @BeforeEach
    void open() throws BpfException {
        RealKernel.require();
        kernel = LinuxKernel.open();
        proc = kernel.process("test");
    }

    @AfterEach
    void close() {
        if (kernel != null) {
            kernel.close();
            assertTrue(kernel.session().closeProblems().isEmpty(), "cleanup: " + kernel.session().closeProblems());
        }
    }

    private static void assertErrno(Errno expected, Executable call) {
        BpfException e = assertThrows(BpfException.class, call);
        assertEquals(expected, e.errno(), e.getMessage());
    }

    private int load(String name, int verdict) throws BpfException {
        return proc.progLoad(ProgramSpec.raw(name, Uapi.BPF_PROG_TYPE_SCHED_CLS, RealKernel.ret(verdict)), new int[0]);
    }

    @Test
    void devicesAreCreatedListedAndDeleted() throws BpfException {
        int d = kernel.addDummy("d0");
        assertErrno(Errno.EEXIST, () -> kernel.addDummy("d0"));
        VethPair pair = kernel.addVeth("va", "vb");
        assertErrno(Errno.EEXIST, () -> kernel.addVeth("vc", "va"));
        kernel.addAddress("vb", "192.0.2.2/24");
        assertErrno(Errno.EINVAL, () -> kernel.addAddress("vb", "192.0.2.300/24"));
        assertErrno(Errno.ENODEV, () -> kernel.addAddress("nope", "192.0.2.9/24"));
        assertEquals(d, kernel.ifindex("d0"));
        List<DeviceInfo> devs = kernel.devices();
        // The kernel registers a veth's peer first, so the peer gets the lower ifindex.
        assertTrue(pair.peerIfindex() < pair.ifindex());
        assertEquals(List.of("lo", "d0", "vb", "va"), devs.stream().map(DeviceInfo::name).toList());
        assertEquals(List.of("loopback", "dummy", "veth", "veth"), devs.stream().map(DeviceInfo::kind).toList());
        DeviceInfo vb = devs.get(2);
        assertEquals(pair.peerIfindex(), vb.ifindex());
        assertEquals("va", vb.peer());
        assertEquals(List.of("192.0.2.2/24"), vb.addresses());
        assertNull(devs.get(1).peer());

        kernel.deleteDevice("va");
        assertErrno(Errno.ENODEV, () -> kernel.ifindex("vb"));
        assertErrno(Errno.ENODEV, () -> kernel.deleteDevice("va"));
        kernel.deleteDevice("d0");
        assertEquals(List.of("lo"), kernel.devices().stream().map(DeviceInfo::name).toList());
    }

    @Test
    void clsBpfFiltersAreAddedReplacedListedAndDeleted() throws BpfException {
        kernel.addVeth("va", "vb");
        int cls1 = load("cls1", 0);
        int cls2 = load("cls2", 2);
        int id1 = proc.progInfo(cls1).id();
        int id2 = proc.progInfo(cls2).id();
        assertErrno(Errno.EINVAL, () -> kernel.filterAdd(proc, "vb", TcDirection.INGRESS, 1, 1, cls1, true, false));
        kernel.qdiscAddClsact("vb");
        assertErrno(Errno.EEXIST, () -> kernel.qdiscAddClsact("vb"));
        kernel.filterAdd(proc, "vb", TcDirection.INGRESS, 1, 1, cls1, true, false);
        kernel.filterAdd(proc, "vb", TcDirection.INGRESS, 2, 1, cls2, false, false);
        assertEquals(List.of(new TcFilter(1, 1, id1, "cls1", true), new TcFilter(2, 1, id2, "cls2", false)),
                kernel.filters("vb", TcDirection.INGRESS));
        assertEquals(List.of(), kernel.filters("vb", TcDirection.EGRESS));
        assertErrno(Errno.EEXIST, () -> kernel.filterAdd(proc, "vb", TcDirection.INGRESS, 1, 1, cls2, true, false));
        kernel.filterAdd(proc, "vb", TcDirection.INGRESS, 1, 1, cls2, true, true);
        assertEquals(id2, kernel.filters("vb", TcDirection.INGRESS).getFirst().progId(), "replace swapped the program");
        kernel.filterDel("vb", TcDirection.INGRESS, 2, 0);
        assertEquals(List.of(new TcFilter(1, 1, id2, "cls2", true)), kernel.filters("vb", TcDirection.INGRESS));
        kernel.qdiscDelClsact("vb");
        assertErrno(Errno.EINVAL, () -> kernel.qdiscDelClsact("vb"));
        assertEquals(List.of(), kernel.filters("vb", TcDirection.INGRESS), "the qdisc took its filters along");
    }

    private byte[] udpFrameTo(String dev, String payload) throws BpfException {
        return RealKernel.udpFrame(kernel.macAddress(dev), new byte[] {2, 0, 0, 0, 0, 1}, SRC_IP, DST_IP, 40000, 7777,
                payload.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aFrameSentOutOfOneVethEndArrivesAtThePeerAndIsDeliveredLocally() throws BpfException {
        kernel.addVeth("va", "vb");
        kernel.addAddress("vb", "192.0.2.2/24");
        byte[] frame = udpFrameTo("vb", "hello");
        try (PacketTap tap = kernel.tap("vb"); UdpSocket udp = kernel.udpListen("192.0.2.2", 7777)) {
            kernel.transmit("va", frame);
            List<byte[]> frames = tap.frames();
            assertEquals(1, frames.size());
            assertArrayEquals(frame, frames.getFirst());
            List<byte[]> got = udp.received();
            assertEquals(1, got.size());
            assertEquals("hello", new String(got.getFirst(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aTcxDropAtIngressStopsDeliveryButNotTheTap() throws BpfException {
        VethPair pair = kernel.addVeth("va", "vb");
        kernel.addAddress("vb", "192.0.2.2/24");
        int drop = load("drop", 2);
        proc.progAttach(pair.peerIfindex(), Uapi.BPF_TCX_INGRESS, drop, 0, 0, 0, 0);
        try (PacketTap tap = kernel.tap("vb"); UdpSocket udp = kernel.udpListen("192.0.2.2", 7777)) {
            kernel.transmit("va", udpFrameTo("vb", "dropped"));
            assertEquals(1, tap.frames().size(), "taps run before tc ingress");
            assertEquals(List.of(), udp.received());
            assertEquals(1, proc.progInfo(drop).runCount(), "the session enabled run counting");
            proc.progDetach(pair.peerIfindex(), Uapi.BPF_TCX_INGRESS, drop, 0, 0, 0);
            kernel.transmit("va", udpFrameTo("vb", "passed"));
            assertEquals(2, tap.frames().size());
            assertEquals(1, udp.received().size());
        }
    }

    @Test
    void aTransmittedFramePassesTheSendersEgressHook() throws BpfException {
        VethPair pair = kernel.addVeth("va", "vb");
        int drop = load("drop", 2);
        int link = proc.linkCreate(drop, pair.ifindex(), Uapi.BPF_TCX_EGRESS, 0, 0, 0);
        try (PacketTap tap = kernel.tap("vb")) {
            assertErrno(Errno.ENOBUFS, () -> kernel.transmit("va", udpFrameTo("vb", "egress")));
            assertEquals(List.of(), tap.frames(), "dropped at va's egress: nothing reached vb");
            proc.linkDetach(link);
            kernel.transmit("va", udpFrameTo("vb", "egress"));
            assertEquals(1, tap.frames().size());
        }
    }

    @Test
    void aClassicDirectActionDropRunsAfterTcxNext() throws BpfException {
        VethPair pair = kernel.addVeth("va", "vb");
        kernel.addAddress("vb", "192.0.2.2/24");
        kernel.qdiscAddClsact("vb");
        int next = load("next", -1);
        int shot = load("shot", 2);
        proc.progAttach(pair.peerIfindex(), Uapi.BPF_TCX_INGRESS, next, 0, 0, 0, 0);
        kernel.filterAdd(proc, "vb", TcDirection.INGRESS, 1, 1, shot, true, false);
        try (UdpSocket udp = kernel.udpListen("192.0.2.2", 7777)) {
            kernel.transmit("va", udpFrameTo("vb", "classic"));
            assertEquals(List.of(), udp.received(), "tcx said NEXT, then cls_bpf da said SHOT");
            kernel.filterDel("vb", TcDirection.INGRESS, 1, 1);
            kernel.transmit("va", udpFrameTo("vb", "classic"));
            assertEquals(1, udp.received().size());
        }
    }

    @Test
    void aFilterNeedsAProcessOfThisSession() throws BpfException {
        kernel.addVeth("va", "vb");
        kernel.qdiscAddClsact("vb");
        try (LinuxKernel other = LinuxKernel.open()) {
            BpfProcess stranger = other.process("stranger");
            assertErrno(Errno.EINVAL, () -> kernel.filterAdd(stranger, "vb", TcDirection.INGRESS, 1, 1, 3, true, false));
        }
    }

    @Test
    void observationInputsAreChecked() throws BpfException {
        kernel.addVeth("va", "vb");
        assertErrno(Errno.EINVAL, () -> kernel.transmit("va", new byte[3]));
        assertErrno(Errno.ENODEV, () -> kernel.transmit("nope", new byte[60]));
        assertErrno(Errno.EINVAL, () -> kernel.udpListen("not-an-ip", 7));
        assertErrno(Errno.EINVAL, () -> kernel.udpListen("192.0.2.2", 0));
        assertErrno(Errno.ENODEV, () -> kernel.tap("nope"));
    }
}
