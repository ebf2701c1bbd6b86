package dev.tcxsim.kernel.sim;

/** IPv4 text <-> int, and the few header fields local delivery needs. */
final class Ipv4 {
    private Ipv4() {
    }

    /** Parses dotted quad; IllegalArgumentException naming the text otherwise. */
    static int parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (a.b.c.d)");
        }
        int ip = 0;
        for (String p : parts) {
            int v;
            try {
                v = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: '" + p + "' is not a number");
            }
            if (v < 0 || v > 255 || p.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: " + p + " is out of 0..255");
            }
            ip = (ip << 8) | v;
        }
        return ip;
    }

    static String format(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
    }

    /** A parsed Ethernet + IPv4 + UDP frame, or null when the frame is something else. */
    record Udp(int srcIp, int dstIp, int srcPort, int dstPort, byte[] payload) {
        static Udp parse(byte[] f) {
            if (f.length < 14 + 20 + 8 || (f[12] & 0xff) != 0x08 || f[13] != 0x00) {
                return null;
            }
            int ihl = (f[14] & 0x0f) * 4;
            if ((f[14] >> 4 & 0xf) != 4 || ihl < 20 || f.length < 14 + ihl + 8 || (f[14 + 9] & 0xff) != 17) {
                return null;
            }
            int totalLen = u16(f, 14 + 2);
            int src = u32(f, 14 + 12);
            int dst = u32(f, 14 + 16);
            int u = 14 + ihl;
            int udpLen = u16(f, u + 4);
            int end = Math.min(f.length, Math.min(14 + totalLen, u + udpLen));
            if (end < u + 8) {
                return null;
            }
            byte[] payload = java.util.Arrays.copyOfRange(f, u + 8, end);
            return new Udp(src, dst, u16(f, u), u16(f, u + 2), payload);
        }

        private static int u16(byte[] b, int o) {
            return (b[o] & 0xff) << 8 | (b[o + 1] & 0xff);
        }

        private static int u32(byte[] b, int o) {
            return u16(b, o) << 16 | u16(b, o + 2);
        }
    }
}
