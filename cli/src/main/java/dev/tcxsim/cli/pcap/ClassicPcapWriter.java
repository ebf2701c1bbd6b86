package dev.tcxsim.cli.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * The classic libpcap format: a 24-byte file header, then per frame a 16-byte record header
 * (seconds, microseconds, captured length, original length) and the captured bytes. Written in
 * little-endian order; readers tell the order from the magic number.
 */
final class ClassicPcapWriter implements PcapWriter {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    private static final long MAX_SECONDS = 0xffff_ffffL;

    private final OutputStream out;
    private final InstantSource clock;
    private final int snaplen;

    ClassicPcapWriter(OutputStream out, InstantSource clock, int snaplen) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.snaplen = snaplen;
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC_MICROS)
                .putShort((short) 2).putShort((short) 4) // format version 2.4
                .putInt(0)                               // thiszone: timestamps are UTC
                .putInt(0)                               // sigfigs
                .putInt(snaplen)
                .putInt(LINKTYPE_ETHERNET);
        out.write(header.array());
    }

    @Override
    public void write(String device, byte[] frame, Instant when) throws IOException {
        Objects.requireNonNull(frame, "frame");
        long seconds = when.getEpochSecond();
        if (seconds < 0 || seconds > MAX_SECONDS) {
            throw new IllegalArgumentException("a classic pcap file cannot store the time " + when
                    + " (seconds must fit in 32 unsigned bits since 1970)");
        }
        int captured = Math.min(frame.length, snaplen);
        ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt((int) seconds).putInt(when.getNano() / 1000).putInt(captured).putInt(frame.length);
        out.write(record.array());
        out.write(frame, 0, captured);
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
        return Format.PCAP;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
