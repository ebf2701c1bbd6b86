package dev.tcxsim.cli.pcap;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds Ethernet/IPv4/UDP frames with correct IPv4 header checksums, for the capture tests. */
final class TestFrames {
    private TestFrames() {
    }

    static byte[] udp(String srcMac, String dstMac, String srcIp, String dstIp, int srcPort, int dstPort,
                      String payload) {
        byte[] data = payload.getBytes(StandardCharsets.US_ASCII);
        int ipLength = 20 + 8 + data.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        b.put(mac(dstMac)).put(mac(srcMac)).putShort((short) 0x0800);
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength)
                .putShort((short) 1).putShort((short) 0x4000) // id 1, don't fragment
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(ipv4(srcIp)).put(ipv4(dstIp));
        b.putShort(ip + 10, (short) checksum(b.array(), ip, 20));
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + data.length)).putShort((short) 0);
        b.put(data);
        return b.array();
    }

    private static int checksum(byte[] a, int from, int len) {
        int sum = 0;
        for (int i = from; i < from + len; i += 2) {
            sum += ((a[i] & 0xff) << 8) | (a[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    private static byte[] mac(String s) {
        String[] parts = s.split(":");
        byte[] m = new byte[6];
        for (int i = 0; i < 6; i++) {
            m[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return m;
    }

    private static byte[] ipv4(String s) {
        String[] parts = s.split("\\.");
        byte[] a = new byte[4];
        for (int i = 0; i < 4; i++) {
            a[i] = (byte) Integer.parseInt(parts[i]);
        }
        return a;
    }
}
