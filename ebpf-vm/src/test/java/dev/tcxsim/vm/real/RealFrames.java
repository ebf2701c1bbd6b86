package dev.tcxsim.vm.real;

import dev.tcxsim.vm.ctx.SkBuffLayout;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The frames the real programs run on, between the endpoints the tc selftests use (172.16.1.100
 * and 172.16.2.100; ::1:dead:beef:cafe and ::2:dead:beef:cafe), so that the forwarding programs
 * take their redirect paths: TCP one way over IPv4 and IPv6 (to port 8000, which the tunnel programs
 * encapsulate), UDP the other way over IPv4. The IPv4
 * and L4 checksums are correct, so programs which check or update them see a real packet.
 */
final class RealFrames {
    /**
     * A frame, the map entries user space writes before the run, and the {@code struct __sk_buff} it
     * passes as ctx_in (null: none), as the selftest that owns the program does.
     */
    record Frame(String name, byte[] bytes, List<MapEntry> setup, byte[] ctxIn) {
        Frame(String name, byte[] bytes) {
            this(name, bytes, List.of(), null);
        }

        Frame(String name, byte[] bytes, List<MapEntry> setup) {
            this(name, bytes, setup, null);
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    record MapEntry(String map, byte[] key, byte[] value) {
    }

    private static final byte[] DST_MAC = {2, 0, 0, 0, 0, 2}, SRC_MAC = {2, 0, 0, 0, 0, 1};
    private static final byte[] HOST1 = {(byte) 172, 16, 1, 100}, HOST2 = {(byte) 172, 16, 2, 100};

    static final List<Frame> ALL = List.of(new Frame("tcp4", ipv4(HOST1, HOST2, 6, tcp(40000, 8000))),
            new Frame("udp4", ipv4(HOST2, HOST1, 17, udp(40000, 53))),
            new Frame("tcp6", ipv6(v6(1), v6(2), 6, tcp(40000, 8000))));

    private RealFrames() {
    }

    /**
     * The selftests' own packets ({@code pkt_v4}, {@code pkt_v6} of network_helpers.c: zero addresses and
     * ports, a length field of 123, urg_ptr 123) with the maps prog_tests/l4lb_all.c fills: VIP (any
     * address, TCP) number 5, its consistent-hashing ring slot 11 naming real 3, real 3 at 0x1234. The
     * selftest expects TC_ACT_REDIRECT with 0x1234 in the first four bytes out.
     */
    private static final List<MapEntry> L4LB = List.of(
            new MapEntry("vip_map", le(new byte[24], 20, 6, 1), le(new byte[8], 4, 5, 4)),
            new MapEntry("ch_rings", le(new byte[4], 0, 11, 4), le(new byte[4], 0, 3, 4)),
            new MapEntry("reals", le(new byte[4], 0, 3, 4), le(new byte[20], 0, 0x1234, 4)));

    static final List<Frame> L4LB_FRAMES = List.of(new Frame("pkt_v4", selftestPacket(false), L4LB),
            new Frame("pkt_v6", selftestPacket(true), L4LB));

    /**
     * prog_tests/skb_ctx.c's context: cb 1..5, priority 6, ingress_ifindex 11, ifindex 1, tstamp 7,
     * wire_len 100, gso_segs 8, mark 9, gso_size 10, hwtstamp 11 (test_skb_ctx returns 0 only for
     * exactly these, and increments cb, priority, tstamp and mark).
     */
    static final Frame SKB_CTX = new Frame("pkt_v4_ctx", selftestPacket(false), List.of(), skbCtx());

    private static byte[] skbCtx() {
        byte[] c = new byte[SkBuffLayout.SIZE];
        for (int i = 0; i < 5; i++) {
            le(c, SkBuffLayout.CB + 4 * i, i + 1, 4);
        }
        le(c, SkBuffLayout.PRIORITY, 6, 4);
        le(c, SkBuffLayout.INGRESS_IFINDEX, 11, 4);
        le(c, SkBuffLayout.IFINDEX, 1, 4);
        le(c, SkBuffLayout.TSTAMP, 7, 8);
        le(c, SkBuffLayout.WIRE_LEN, 100, 4);
        le(c, SkBuffLayout.GSO_SEGS, 8, 4);
        le(c, SkBuffLayout.MARK, 9, 4);
        le(c, SkBuffLayout.GSO_SIZE, 10, 4);
        le(c, SkBuffLayout.HWTSTAMP, 11, 8);
        return c;
    }

    /** The frames an object runs on: the three above, and its selftest's own when it needs map or context setup. */
    static List<Frame> forObject(String object) {
        List<Frame> own = switch (object) {
            case "test_l4lb.o", "test_l4lb_noinline.o" -> L4LB_FRAMES;
            case "test_skb_ctx.o" -> List.of(SKB_CTX);
            default -> List.of();
        };
        return java.util.stream.Stream.concat(ALL.stream(), own.stream()).toList();
    }

    static Frame byName(String object, String name) {
        return forObject(object).stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no frame named " + name + " for " + object));
    }

    /** {@code value} stored little-endian in {@code size} bytes at {@code at} of {@code b}. */
    private static byte[] le(byte[] b, int at, long value, int size) {
        for (int i = 0; i < size; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
        return b;
    }

    private static byte[] selftestPacket(boolean v6) {
        int l3 = v6 ? 40 : 20;
        byte[] f = new byte[14 + l3 + 20];
        putShort(f, 12, v6 ? 0x86dd : 0x0800);
        if (v6) {
            putShort(f, 14 + 4, 123);         // payload_len
            f[14 + 6] = 6;                     // nexthdr TCP
        } else {
            f[14] = 5;                         // ihl 5, version left 0 as in the selftest
            putShort(f, 14 + 2, 123);         // tot_len
            f[14 + 9] = 6;                     // protocol TCP
        }
        int tcp = 14 + l3;
        f[tcp + 12] = 0x50;                    // doff 5
        f[tcp + 18] = 123;                     // urg_ptr = 123 stored in host order
        return f;
    }

    /** ::N:dead:beef:cafe */
    private static byte[] v6(int n) {
        byte[] a = new byte[16];
        a[9] = (byte) n;
        a[10] = (byte) 0xde;
        a[11] = (byte) 0xad;
        a[12] = (byte) 0xbe;
        a[13] = (byte) 0xef;
        a[14] = (byte) 0xca;
        a[15] = (byte) 0xfe;
        return a;
    }

    /** A TCP SYN with a 4-byte payload; its checksum is filled in by the IP layer below. */
    private static byte[] tcp(int sport, int dport) {
        ByteBuffer b = ByteBuffer.allocate(24);
        b.putShort((short) sport).putShort((short) dport).putInt(1000).putInt(0).put((byte) 0x50).put((byte) 0x02)
                .putShort((short) 64240).putShort((short) 0).putShort((short) 0).put(new byte[] {'p', 'i', 'n', 'g'});
        return b.array();
    }

    private static byte[] udp(int sport, int dport) {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.putShort((short) sport).putShort((short) dport).putShort((short) 12).putShort((short) 0)
                .put(new byte[] {'p', 'i', 'n', 'g'});
        return b.array();
    }

    private static byte[] ipv4(byte[] src, byte[] dst, int proto, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4.length);
        b.put(DST_MAC).put(SRC_MAC).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) proto).putShort((short) 0).put(src).put(dst);
        b.put(l4);
        byte[] f = b.array();
        putShort(f, 24, ~sum(f, 14, 20, 0));
        int pseudo = sum(f, 26, 8, proto + l4.length);
        putShort(f, 34 + (proto == 6 ? 16 : 6), ~sum(f, 34, l4.length, pseudo));
        return f;
    }

    private static byte[] ipv6(byte[] src, byte[] dst, int proto, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + l4.length);
        b.put(DST_MAC).put(SRC_MAC).putShort((short) 0x86dd);
        b.putInt(0x60000000).putShort((short) l4.length).put((byte) proto).put((byte) 64).put(src).put(dst);
        b.put(l4);
        byte[] f = b.array();
        int pseudo = sum(f, 22, 32, proto + l4.length);
        putShort(f, 54 + (proto == 6 ? 16 : 6), ~sum(f, 54, l4.length, pseudo));
        return f;
    }

    private static void putShort(byte[] f, int at, int v) {
        f[at] = (byte) (v >> 8);
        f[at + 1] = (byte) v;
    }

    /** The one's-complement sum of {@code len} bytes from {@code off}, folded to 16 bits. */
    private static int sum(byte[] f, int off, int len, int start) {
        int s = start;
        for (int i = off; i < off + len; i += 2) {
            s += (f[i] & 0xff) << 8 | (i + 1 < off + len ? f[i + 1] & 0xff : 0);
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return s;
    }
}
