package dev.tcxsim.conformance.cases;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.UdpSocket;
import dev.tcxsim.kernel.VethPair;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Datapath fixtures: a veth pair "va"/"vb" with 192.0.2.2/24 on vb only (so the source
 * 192.0.2.1 is not a local address and no martian or reverse-path check drops it), a UDP socket
 * on 192.0.2.2:5000, frames sent out of va, and counting programs: each bumps its own slot of an
 * array map and returns a fixed code, so a case sees which programs ran.
 */
final class Net {
    static final String DST = "192.0.2.2";
    static final int PORT = 5000;
    static final int SLOTS = 8;

    final Kernel k;
    final BpfProcess p;
    final VethPair veth;
    final UdpSocket sock;
    final int counters;

    Net(Kernel k, String a, String b) throws BpfException {
        this.k = k;
        this.veth = k.addVeth(a, b);
        k.addAddress(b, DST + "/24");
        this.p = k.process("net");
        this.sock = k.udpListen(DST, PORT);
        this.counters = p.mapCreate(MapSpec.of("runs", 2, 4, 8, SLOTS, 0));
    }

    /** A program that counts its runs in slot {@code slot} and returns {@code code}. */
    int counting(String name, int slot, int code) throws BpfException {
        return p.progLoad(countingSpec(name, slot, code, counters), new int[0]);
    }

    static ProgramSpec countingSpec(String name, int slot, int code, int mapFd) {
        return ProgramSpec.raw(name, Tcx.SCHED_CLS,
                0x62L | 10 << 8 | (-4 & 0xffffL) << 16 | (long) slot << 32,   // *(u32 *)(r10 - 4) = slot
                0xbfL | 2 << 8 | 10 << 12,                                  // r2 = r10
                0x07L | 2 << 8 | (long) -4 << 32,                           // r2 += -4
                0x18L | 1 << 8 | 1 << 12 | (long) mapFd << 32, 0L,          // r1 = map (by fd)
                0x85L | 1L << 32,                                           // call bpf_map_lookup_elem
                0x15L | 2 << 16,                                            // if r0 == 0 goto +2
                0xb7L | 1 << 8 | 1L << 32,                                  // r1 = 1
                0xdbL | 1 << 12,                                            // lock *(u64 *)(r0 + 0) += r1
                0xb7L | (long) code << 32,                                  // r0 = code
                0x95L);                                                     // exit
    }

    /** A program calling bpf_redirect(ifindex, flags) (or another redirect helper) and returning its result. */
    int redirect(String name, int helper, int ifindex, int flags) throws BpfException {
        return p.progLoad(ProgramSpec.raw(name, Tcx.SCHED_CLS,
                0xb7L | 1 << 8 | (long) ifindex << 32,                      // r1 = ifindex
                0xb7L | 2 << 8 | (long) flags << 32,                        // r2 = flags
                0x85L | (long) helper << 32,                                // call helper
                0x95L), new int[0]);
    }

    static final int BPF_FUNC_REDIRECT = 23;
    static final int BPF_FUNC_REDIRECT_PEER = 155;

    long runs(int slot) throws BpfException {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(slot).array();
        return ByteBuffer.wrap(p.mapLookup(counters, key)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Runs counted in slots 0 .. n-1. */
    long[] counts(int n) throws BpfException {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = runs(i);
        }
        return out;
    }

    void resetRuns() throws BpfException {
        for (int i = 0; i < SLOTS; i++) {
            byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array();
            p.mapUpdate(counters, key, new byte[8], 0);
        }
    }

    /** Sends one datagram out of va towards 192.0.2.2:5000. */
    void send(String payload) throws BpfException {
        k.transmit(veth.name(), udpFrame("192.0.2.1", DST, PORT, payload.getBytes(StandardCharsets.US_ASCII)));
    }

    int delivered() {
        return sock.received().size();
    }

    void attachIngress(int progFd) throws BpfException {
        p.progAttach(veth.peerIfindex(), Tcx.INGRESS, progFd, 0, 0, 0, 0);
    }

    /** Ethernet (broadcast destination) + IPv4 (valid header checksum) + UDP (no checksum). */
    static byte[] udpFrame(String src, String dst, int port, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + payload.length).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + payload.length)).putShort((short) 1)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(ip(src)).put(ip(dst));
        int sum = 0;
        for (int i = ipStart; i < ipStart + 20; i += 2) {
            sum += b.getShort(i) & 0xffff;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        b.putShort(ipStart + 10, (short) ~sum);
        b.putShort((short) 40000).putShort((short) port).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    private static byte[] ip(String text) {
        String[] parts = text.split("\\.");
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            out[i] = (byte) Integer.parseInt(parts[i]);
        }
        return out;
    }
}
