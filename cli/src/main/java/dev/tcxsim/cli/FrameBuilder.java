package dev.tcxsim.cli;

import java.nio.charset.StandardCharsets;

/**
 * Builds the frames {@code packet send ... udp A:P B:Q} sends: Ethernet (broadcast destination,
 * so every receiver takes it) + IPv4 + UDP, with correct IPv4 and UDP checksums.
 */
final class FrameBuilder {
    private FrameBuilder() {
    }

    record Endpoint(byte[] ip, int port) {
        static Endpoint parse(String text) throws CliError {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new CliError("expected ADDRESS:PORT, got '" + text + "'");
            }
            String[] parts = text.substring(0, colon).split("\\.");
            if (parts.length != 4) {
                throw new CliError("expected an IPv4 address in '" + text + "'");
            }
            byte[] ip = new byte[4];
            try {
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(parts[i]);
                    if (v < 0 || v > 255) {
                        throw new NumberFormatException();
                    }
                    ip[i] = (byte) v;
                }
                int port = Integer.parseInt(text.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return new Endpoint(ip, port);
            } catch (NumberFormatException e) {
                throw new CliError("bad address or port in '" + text + "'");
            }
        }
    }

    static byte[] udp(Endpoint src, Endpoint dst, String payload) {
        byte[] data = payload.getBytes(StandardCharsets.UTF_8);
        int udpLen = 8 + data.length;
        byte[] f = new byte[14 + 20 + udpLen];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) 0xff;
        }
        byte[] srcMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
        System.arraycopy(srcMac, 0, f, 6, 6);
        put16(f, 12, 0x0800);
        int ip = 14;
        f[ip] = 0x45;
        put16(f, ip + 2, 20 + udpLen);
        f[ip + 8] = 64;
        f[ip + 9] = 17;
        System.arraycopy(src.ip(), 0, f, ip + 12, 4);
        System.arraycopy(dst.ip(), 0, f, ip + 16, 4);
        put16(f, ip + 10, checksum(f, ip, 20, 0));
        int u = ip + 20;
        put16(f, u, src.port());
        put16(f, u + 2, dst.port());
        put16(f, u + 4, udpLen);
        System.arraycopy(data, 0, f, u + 8, data.length);
        long pseudo = sum(f, ip + 12, 8, 0) + 17 + udpLen;
        int c = checksum(f, u, udpLen, pseudo);
        put16(f, u + 6, c == 0 ? 0xffff : c);
        return f;
    }

    private static long sum(byte[] f, int off, int len, long start) {
        long s = start;
        for (int i = 0; i < len; i += 2) {
            s += ((f[off + i] & 0xff) << 8) | (i + 1 < len ? f[off + i + 1] & 0xff : 0);
        }
        return s;
    }

    private static int checksum(byte[] f, int off, int len, long start) {
        long s = sum(f, off, len, start);
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }

    private static void put16(byte[] f, int off, int v) {
        f[off] = (byte) (v >>> 8);
        f[off + 1] = (byte) v;
    }
}
