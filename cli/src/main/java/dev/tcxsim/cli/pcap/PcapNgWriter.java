package dev.tcxsim.cli.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The pcapng format: one Section Header Block, an Interface Description Block for each device the
 * first time it is seen (with its name as {@code if_name} and microsecond resolution), and one
 * Enhanced Packet Block per frame naming its interface by index. Every block is padded to 32 bits
 * and carries its total length at both ends, so a reader can walk it in either direction.
 */
final class PcapNgWriter implements PcapWriter {
    static final int SHB = 0x0A0D0D0A;
    static final int IDB = 1;
    static final int SPB = 3;
    static final int EPB = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int OPT_END = 0;
    static final int OPT_IF_NAME = 2;
    static final int OPT_IF_TSRESOL = 9;
    static final int OPT_IF_TSOFFSET = 14;
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private final OutputStream out;
    private final InstantSource clock;
    private final int snaplen;
    private final Map<String, Integer> interfaces = new LinkedHashMap<>();

    PcapNgWriter(OutputStream out, InstantSource clock, int snaplen) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.snaplen = snaplen;
        ByteBuffer body = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        body.putInt(BYTE_ORDER_MAGIC)
                .putShort((short) 1).putShort((short) 0) // version 1.0
                .putLong(-1L);                           // section length not given
        block(SHB, body.array());
    }

    @Override
    public void declareDevice(String device) throws IOException {
        addInterface(device);
    }

    /** The interface index of {@code device}, writing its Interface Description Block the first time. */
    private int addInterface(String device) throws IOException {
        Integer known = interfaces.get(device);
        if (known != null) {
            return known;
        }
        byte[] name = device.getBytes(StandardCharsets.UTF_8);
        if (name.length > 0xffff - 4) {
            throw new IllegalArgumentException("device name too long for a pcapng option: " + name.length + " bytes");
        }
        ByteBuffer body = ByteBuffer.allocate(8 + option(name.length) + option(1) + 4).order(ByteOrder.LITTLE_ENDIAN);
        body.putShort((short) LINKTYPE_ETHERNET).putShort((short) 0).putInt(snaplen);
        putOption(body, OPT_IF_NAME, name);
        putOption(body, OPT_IF_TSRESOL, new byte[] {6}); // 10^-6 s, also the default: said for readers' sake
        body.putShort((short) OPT_END).putShort((short) 0);
        block(IDB, body.array());
        int index = interfaces.size();
        interfaces.put(device, index);
        return index;
    }

    @Override
    public void write(String device, byte[] frame, Instant when) throws IOException {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(frame, "frame");
        if (when.getEpochSecond() < 0) {
            throw new IllegalArgumentException("a pcapng file cannot store the time " + when + " (before 1970)");
        }
        long micros = Math.addExact(Math.multiplyExact(when.getEpochSecond(), MICROS_PER_SECOND), when.getNano() / 1000);
        int index = addInterface(device);
        int captured = Math.min(frame.length, snaplen);
        ByteBuffer body = ByteBuffer.allocate(20 + pad(captured)).order(ByteOrder.LITTLE_ENDIAN);
        body.putInt(index)
                .putInt((int) (micros >>> 32)).putInt((int) micros)
                .putInt(captured).putInt(frame.length)
                .put(frame, 0, captured);
        block(EPB, body.array());
    }

    private void block(int type, byte[] body) throws IOException {
        int total = 12 + body.length;
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(total);
        out.write(head.array());
        out.write(body);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(total).array());
    }

    private static int option(int valueLength) {
        return 4 + pad(valueLength);
    }

    private static void putOption(ByteBuffer b, int code, byte[] value) {
        b.putShort((short) code).putShort((short) value.length).put(value);
        b.position(b.position() + pad(value.length) - value.length);
    }

    static int pad(int n) {
        return (n + 3) & ~3;
    }

    @Override
    public InstantSource clock() {
        return clock;
    }

    @Override
    public int snaplen() {
        return snaplen;
    }

    @Override
    public Format format() {
        return Format.PCAPNG;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
