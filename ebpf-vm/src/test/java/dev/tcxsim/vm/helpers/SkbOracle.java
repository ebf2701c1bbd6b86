package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.Modes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Runs one program of a committed object the way BPF_PROG_TEST_RUN runs a tc program, on the
 * simulator and (when available) on the real kernel, with the same {@code struct __sk_buff} given
 * in, and compares r0, the packet and the __sk_buff handed back.
 *
 * <p>The simulator's packet is set up as test_run sets up its skb: on the loopback device (ifindex
 * 1), pkt_type from the destination MAC as eth_type_trans decides it for lo's all-zero address,
 * the network header right behind the Ethernet header, no transport header, and the context fields
 * test_run accepts (mark, priority, ingress_ifindex, cb, tstamp, wire_len, gso_segs, gso_size, hwtstamp).
 */
final class SkbOracle {
    private static final Map<String, BpfObject> OBJECTS = new ConcurrentHashMap<>();
    private static final Map<String, LoadedObject> LOADED = new ConcurrentHashMap<>();
    private static final int BPF_F_TEST_SKB_CHECKSUM_COMPLETE = 4;

    private SkbOracle() {
    }

    /** What one side returned. */
    record Result(int r0, byte[] packet, byte[] ctxOut) {
        int cb(int i) {
            return le(ctxOut).getInt(SkBuffLayout.CB + 4 * i);
        }

        @Override
        public String toString() {
            return "r0=" + r0 + " packet=" + HexFormat.of().formatHex(packet) + " ctx="
                    + HexFormat.of().formatHex(Arrays.copyOf(ctxOut, 96));
        }
    }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static BpfObject object(String name) {
        return OBJECTS.computeIfAbsent(name, n -> {
            Path dir = Path.of("").toAbsolutePath();
            while (dir != null && !Files.isDirectory(dir.resolve("testdata/progs"))) {
                dir = dir.getParent();
            }
            try {
                return ElfLoader.load(dir.resolve("testdata/progs/" + n + ".o"));
            } catch (Exception e) {
                throw new IllegalStateException("cannot load testdata/progs/" + n + ".o: " + e, e);
            }
        });
    }

    /** A __sk_buff for ctx_in with cb[0..] = {@code cb}. */
    static byte[] ctx(int... cb) {
        byte[] c = new byte[SkBuffLayout.SIZE];
        for (int i = 0; i < cb.length; i++) {
            le(c).putInt(SkBuffLayout.CB + 4 * i, cb[i]);
        }
        return c;
    }

    /** The simulator's run (Truffle, compiled on first call); the reference interpreter must agree. */
    static Result sim(String objectName, String program, byte[] packet, byte[] ctxIn, RunEnv env) {
        return sim(objectName, program, packet, ctxIn, env, false);
    }

    /** With {@code csumComplete} the packet carries CHECKSUM_COMPLETE, as test_run's BPF_F_TEST_SKB_CHECKSUM_COMPLETE sets it up. */
    static Result sim(String objectName, String program, byte[] packet, byte[] ctxIn, RunEnv env, boolean csumComplete) {
        Result compiled = simIn(Modes.Mode.COMPILED, objectName, program, packet, ctxIn, env, csumComplete);
        Result reference = simIn(Modes.Mode.REFERENCE, objectName, program, packet, ctxIn, env, csumComplete);
        assertEquals(reference.toString(), compiled.toString(), "Truffle and the reference interpreter disagree");
        return compiled;
    }

    private static Result simIn(Modes.Mode mode, String objectName, String program, byte[] packet, byte[] ctxIn,
                                RunEnv env, boolean csumComplete) {
        LoadedObject loaded = LOADED.computeIfAbsent(mode + "/" + objectName, k -> {
            try {
                return Modes.vm(mode).load(object(objectName));
            } catch (Exception e) {
                throw new IllegalStateException("loading " + objectName + " in " + mode + ": " + e, e);
            }
        });
        SkBuff skb = testRunSkb(packet, ctxIn);
        if (csumComplete) {
            // skb->csum over everything from the network header, as test_run computes it
            skb.setIpSummed(SkbHelpers.CHECKSUM_COMPLETE);
            skb.setCsum((int) Csum.partial(Arrays.copyOfRange(packet, SkBuff.ETH_HLEN, packet.length), 0));
        }
        RunResult r = loaded.program(program).run(skb, env);
        assertNull(r.fault(), () -> program + " faulted in " + mode + ": " + r.fault());
        return new Result((int) r.returnValue(), skb.data(), ctxOut(skb, ctxIn));
    }

    /** The skb BPF_PROG_TEST_RUN builds for a tc program from {@code packet} and ctx_in. */
    static SkBuff testRunSkb(byte[] packet, byte[] ctxIn) {
        SkBuff skb = new SkBuff(packet);
        ByteBuffer c = le(ctxIn);
        int ifindex = c.getInt(SkBuffLayout.IFINDEX);
        skb.setIfindex(ifindex > 1 ? ifindex : 1);
        skb.setIngressIfindex(c.getInt(SkBuffLayout.INGRESS_IFINDEX));
        skb.setMark(c.getInt(SkBuffLayout.MARK));
        skb.setPriority(c.getInt(SkBuffLayout.PRIORITY));
        for (int i = 0; i < 5; i++) {
            skb.setCb(i, c.getInt(SkBuffLayout.CB + 4 * i));
        }
        skb.setTstamp(c.getLong(SkBuffLayout.TSTAMP));
        int wire = c.getInt(SkBuffLayout.WIRE_LEN);
        skb.setWireLen(wire == 0 ? packet.length : wire);
        skb.setGsoSegs(c.getInt(SkBuffLayout.GSO_SEGS));
        skb.setGsoSize(c.getInt(SkBuffLayout.GSO_SIZE));
        skb.setHwtstamp(c.getLong(SkBuffLayout.HWTSTAMP));
        skb.setPktType(pktTypeOnLoopback(packet));
        return skb;
    }

    /** eth_type_trans on a device whose address is 00:00:00:00:00:00. */
    private static int pktTypeOnLoopback(byte[] p) {
        boolean zero = true;
        boolean broadcast = true;
        for (int i = 0; i < 6; i++) {
            zero &= p[i] == 0;
            broadcast &= p[i] == (byte) 0xff;
        }
        if (zero) {
            return 0;
        }
        if ((p[0] & 1) != 0) {
            return broadcast ? 1 : 2;
        }
        return 3;
    }

    /** convert_skb_to___skb over a copy of ctx_in: the fields test_run hands back. */
    static byte[] ctxOut(SkBuff skb, byte[] ctxIn) {
        byte[] out = ctxIn.clone();
        ByteBuffer c = le(out);
        c.putInt(SkBuffLayout.MARK, skb.mark());
        c.putInt(SkBuffLayout.PRIORITY, skb.priority());
        c.putInt(SkBuffLayout.INGRESS_IFINDEX, skb.ingressIfindex());
        c.putInt(SkBuffLayout.IFINDEX, skb.ifindex());
        c.putLong(SkBuffLayout.TSTAMP, skb.tstamp());
        for (int i = 0; i < 5; i++) {
            c.putInt(SkBuffLayout.CB + 4 * i, skb.cb(i));
        }
        c.putInt(SkBuffLayout.WIRE_LEN, skb.wireLen());
        c.putInt(SkBuffLayout.GSO_SEGS, skb.gsoSegs());
        c.putLong(SkBuffLayout.HWTSTAMP, skb.hwtstamp());
        return out;
    }

    /** The kernel's run of the same program, or null when kernel runs are unavailable (the reason is printed once). */
    static Result kernel(String objectName, String program, byte[] packet, byte[] ctxIn) throws Throwable {
        return kernel(objectName, program, packet, ctxIn, false);
    }

    static Result kernel(String objectName, String program, byte[] packet, byte[] ctxIn, boolean csumComplete)
            throws Throwable {
        if (!KernelBpf.available()) {
            return null;
        }
        try (KernelBpf.Session s = new KernelBpf.Session()) {
            int fd = s.loadProgram(object(objectName).program(program).insns());
            KernelBpf.SkbOutcome o = s.testRunSkb(fd, packet, ctxIn, csumComplete ? BPF_F_TEST_SKB_CHECKSUM_COMPLETE : 0);
            return new Result(o.retval(), o.packet(), o.ctxOut());
        }
    }

    /** Runs both sides and asserts they agree; returns the simulator's result. */
    static Result compare(String objectName, String program, byte[] packet, byte[] ctxIn) throws Throwable {
        return compare(objectName, program, packet, ctxIn, RunEnv.DEFAULT);
    }

    static Result compare(String objectName, String program, byte[] packet, byte[] ctxIn, RunEnv env) throws Throwable {
        return compare(objectName, program, packet, ctxIn, env, false);
    }

    static Result compare(String objectName, String program, byte[] packet, byte[] ctxIn, RunEnv env,
                          boolean csumComplete) throws Throwable {
        Result sim = sim(objectName, program, packet, ctxIn, env, csumComplete);
        Result k = kernel(objectName, program, packet, ctxIn, csumComplete);
        if (k != null) {
            assertEquals(k.r0(), sim.r0(), () -> program + ": r0 (kernel " + k + ", simulator " + sim + ")");
            assertArrayEquals(k.packet(), sim.packet(), () -> program + ": packet afterwards (kernel " + k
                    + ", simulator " + sim + ")");
            assertEquals(HexFormat.of().formatHex(k.ctxOut()), HexFormat.of().formatHex(sim.ctxOut()),
                    () -> program + ": __sk_buff afterwards");
        }
        return sim;
    }

    // ---- frames

    /** Ethernet + IPv4 + UDP + 4 payload bytes with valid checksums; {@code tos} in the IPv4 header. */
    static byte[] ipv4Udp(int tos) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + 4);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) tos).putShort((short) 32).putShort((short) 0x1234).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(new byte[] {10, 0, 0, 9})
                .put(new byte[] {10, 0, 0, 1});
        b.putShort((short) 4000).putShort((short) 53).putShort((short) 12).putShort((short) 0).put(new byte[] {1, 2, 3, 4});
        byte[] f = b.array();
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += (f[i] & 0xff) << 8 | (f[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        f[24] = (byte) (~sum >> 8);
        f[25] = (byte) ~sum;
        return f;
    }

    /** Ethernet + IPv6 + UDP + 4 payload bytes; {@code tclass} is the traffic class. */
    static byte[] ipv6Udp(int tclass) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 8 + 4);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x86dd);
        b.putInt(6 << 28 | (tclass & 0xff) << 20 | 0x12345).putShort((short) 12).put((byte) 17).put((byte) 64);
        b.put(new byte[] {0x20, 1, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9});
        b.put(new byte[] {0x20, 1, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        b.putShort((short) 4000).putShort((short) 53).putShort((short) 12).putShort((short) 0x7777).put(new byte[] {1, 2, 3, 4});
        return b.array();
    }

    /** {@code inner} with an 802.1Q tag (TCI {@code tci}) inserted behind the MAC addresses. */
    static byte[] vlanTagged(byte[] inner, int tpid, int tci) {
        byte[] f = new byte[inner.length + 4];
        System.arraycopy(inner, 0, f, 0, 12);
        f[12] = (byte) (tpid >> 8);
        f[13] = (byte) tpid;
        f[14] = (byte) (tci >> 8);
        f[15] = (byte) tci;
        System.arraycopy(inner, 12, f, 16, inner.length - 12);
        return f;
    }

    /** A frame of an experimental ethertype (0x88b5) that no protocol handler takes. */
    static byte[] nonIp(int len) {
        byte[] f = new byte[len];
        for (int i = 0; i < len; i++) {
            f[i] = (byte) (i * 5 + 3);
        }
        f[0] = 2;
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xb5;
        return f;
    }
}
