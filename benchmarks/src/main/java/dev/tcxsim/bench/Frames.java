package dev.tcxsim.bench;

/** Realistic test frames for the benchmarks: Ethernet + IPv4 + TCP/UDP with valid checksums. */
public final class Frames {
    private Frames() {
    }

    /** A 74-byte TCP SYN from 10.0.0.3:40000 to 10.0.0.1:80 (the NAT program's match address). */
    public static byte[] tcpSyn() {
        byte[] f = new byte[74];
        ethernet(f);
        ipv4(f, 60, 6);
        int t = 34;
        put16(f, t, 40000);
        put16(f, t + 2, 80);
        put32(f, t + 4, 0x01020304);
        f[t + 12] = (byte) 0xa0;  // data offset 10 words (40 bytes with options)
        f[t + 13] = 0x02;         // SYN
        put16(f, t + 14, 64240);
        l4Checksum(f, t, 40, 16);
        return f;
    }

    /** A 60-byte UDP datagram from 10.0.0.3:5353 to 10.0.0.1:53 carrying 18 bytes. */
    public static byte[] udp() {
        byte[] f = new byte[60];
        ethernet(f);
        ipv4(f, 46, 17);
        int u = 34;
        put16(f, u, 5353);
        put16(f, u + 2, 53);
        put16(f, u + 4, 26);
        for (int i = 0; i < 18; i++) {
            f[u + 8 + i] = (byte) ('a' + i);
        }
        l4Checksum(f, u, 26, 6);
        return f;
    }

    private static void ethernet(byte[] f) {
        byte[] dst = {0x02, 0, 0, 0, 0, 1};
        byte[] src = {0x02, 0, 0, 0, 0, 2};
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(src, 0, f, 6, 6);
        put16(f, 12, 0x0800);
    }

    private static void ipv4(byte[] f, int totalLen, int proto) {
        int ip = 14;
        f[ip] = 0x45;
        put16(f, ip + 2, totalLen);
        put16(f, ip + 4, 0x1234);
        f[ip + 8] = 64;
        f[ip + 9] = (byte) proto;
        put32(f, ip + 12, 0x0a000003);
        put32(f, ip + 16, 0x0a000001);
        put16(f, ip + 10, fold(sum(f, ip, 20, 0)));
    }

    private static void l4Checksum(byte[] f, int off, int len, int proto) {
        long pseudo = sum(f, 26, 8, 0) + proto + len;
        int csumOff = proto == 6 ? off + 16 : off + 6;
        put16(f, csumOff, 0);
        put16(f, csumOff, fold(sum(f, off, len, pseudo)));
    }

    private static long sum(byte[] f, int off, int len, long start) {
        long s = start;
        for (int i = 0; i < len; i += 2) {
            s += ((f[off + i] & 0xff) << 8) | (i + 1 < len ? f[off + i + 1] & 0xff : 0);
        }
        return s;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }

    private static void put16(byte[] f, int off, int v) {
        f[off] = (byte) (v >>> 8);
        f[off + 1] = (byte) v;
    }

    private static void put32(byte[] f, int off, int v) {
        put16(f, off, v >>> 16);
        put16(f, off + 2, v);
    }
}
