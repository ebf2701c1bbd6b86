package dev.tcxsim.cli.pcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Assembles pcapng files block by block in either byte order, independently of {@link PcapNgWriter},
 * so the reader is tested against files our writer would never produce (and damaged ones).
 */
final class PcapNgBuilder {
    private final ByteOrder order;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PcapNgBuilder(ByteOrder order) {
        this.order = order;
    }

    PcapNgBuilder sectionHeader() {
        return block(0x0A0D0D0A, buf(16).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1)
                .array());
    }

    PcapNgBuilder interfaceDescription(String name, byte tsresol, int snaplen) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int padded = (n.length + 3) & ~3;
        ByteBuffer b = buf(8 + 4 + padded + 8 + 4);
        b.putShort((short) 1).putShort((short) 0).putInt(snaplen);
        b.putShort((short) 2).putShort((short) n.length).put(n).position(12 + padded);
        b.putShort((short) 9).putShort((short) 1).put(tsresol).position(b.position() + 3);
        b.putInt(0);
        return block(1, b.array());
    }

    PcapNgBuilder enhancedPacket(int itf, long units, byte[] data, int captured) {
        int padded = (data.length + 3) & ~3;
        ByteBuffer b = buf(20 + padded);
        b.putInt(itf).putInt((int) (units >>> 32)).putInt((int) units).putInt(captured).putInt(data.length).put(data);
        return block(6, b.array());
    }

    PcapNgBuilder simplePacket(byte[] data) {
        int padded = (data.length + 3) & ~3;
        return block(3, buf(4 + padded).putInt(data.length).put(data).array());
    }

    PcapNgBuilder block(int type, byte[] body) {
        return raw(buf(8).putInt(type).putInt(12 + body.length).array(), body, buf(4).putInt(12 + body.length).array());
    }

    PcapNgBuilder raw(byte[]... parts) {
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return this;
    }

    ByteBuffer buf(int n) {
        return ByteBuffer.allocate(n).order(order);
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
