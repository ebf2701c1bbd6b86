package dev.tcxsim.cli.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the frames of a classic pcap file (either byte order, microsecond or nanosecond magic) or a
 * pcapng file (Section Header, Interface Description, Enhanced and Simple Packet Blocks; other
 * blocks are skipped), one at a time.
 *
 * <p>Every length the file declares is checked against the bytes that really remain before anything
 * is allocated, so a damaged or hostile file gives an {@link IOException} that names the byte offset
 * of the bad field, never an OutOfMemoryError or a hang.
 */
public final class PcapReader implements Closeable {
    private static final int PCAP_MICROS_LE = 0xd4c3b2a1; // 0xa1b2c3d4 read in the wrong order
    private static final int PCAP_NANOS_LE = 0x4d3cb2a1;
    /** Frames longer than this are refused even if the file is large enough: no link carries them. */
    private static final int MAX_FRAME = 64 << 20;
    /** Room for a block's fixed fields and options besides its frame. */
    private static final int MAX_OPTIONS = 1 << 20;

    private final FileChannel channel;
    private final long size;
    private final PcapWriter.Format format;
    private long position;
    private ByteOrder order;
    // classic pcap
    private boolean nanos;
    private int classicLinkType;
    // pcapng, per section
    private final List<Interface> interfaces = new ArrayList<>();

    private record Interface(int linkType, long snaplen, String name, BigInteger unitsPerSecond, long offsetSeconds) {
    }

    private PcapReader(FileChannel channel) throws IOException {
        this.channel = channel;
        this.size = channel.size();
        if (size < 12) {
            throw new IOException("not a pcap or pcapng file: only " + size + " bytes");
        }
        int first = ByteBuffer.wrap(bytes(0, 4)).order(ByteOrder.BIG_ENDIAN).getInt();
        if (first == PcapNgWriter.SHB) {
            format = PcapWriter.Format.PCAPNG;
            order = ByteOrder.BIG_ENDIAN; // decided by each Section Header Block
        } else {
            format = PcapWriter.Format.PCAP;
            readClassicHeader(first);
        }
    }

    /** Opens {@code file} and reads its file header (classic) or checks its first block (pcapng). */
    public static PcapReader open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new PcapReader(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Every frame of {@code file}, in file order. */
    public static List<PcapPacket> readAll(Path file) throws IOException {
        try (PcapReader r = open(file)) {
            List<PcapPacket> all = new ArrayList<>();
            for (PcapPacket p = r.next(); p != null; p = r.next()) {
                all.add(p);
            }
            return all;
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            throw m.startsWith(file.toString()) ? e : new IOException(file + ": " + m, e);
        }
    }

    /**
     * The frames of {@code file} for sending into a kernel: every packet must be a whole Ethernet
     * frame, since a frame of another link type or one cut short by the capture's snap length cannot
     * be sent as it was seen.
     *
     * @throws IOException naming the first packet (counted from 1) that is not, or the file's damage
     */
    public static List<byte[]> readEthernetFrames(Path file) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        int n = 0;
        for (PcapPacket p : readAll(file)) {
            n++;
            if (p.linkType() != PcapWriter.LINKTYPE_ETHERNET) {
                throw new IOException(file + ": packet " + n + " has link type " + p.linkType()
                        + "; only Ethernet (link type 1) frames can be sent");
            }
            if (p.truncated()) {
                throw new IOException(file + ": packet " + n + " was captured cut short (" + p.data().length + " of "
                        + p.originalLength() + " bytes); capture it again with a larger snap length");
            }
            frames.add(p.data());
        }
        return frames;
    }

    /** The file's format. */
    public PcapWriter.Format format() {
        return format;
    }

    /** The next frame, or null at the end of the file. */
    public PcapPacket next() throws IOException {
        return format == PcapWriter.Format.PCAP ? nextClassic() : nextPcapNg();
    }

    // ---- classic pcap

    private void readClassicHeader(int magicBigEndian) throws IOException {
        switch (magicBigEndian) {
            case ClassicPcapWriter.MAGIC_MICROS -> order = ByteOrder.BIG_ENDIAN;
            case ClassicPcapWriter.MAGIC_NANOS -> {
                order = ByteOrder.BIG_ENDIAN;
                nanos = true;
            }
            case PCAP_MICROS_LE -> order = ByteOrder.LITTLE_ENDIAN;
            case PCAP_NANOS_LE -> {
                order = ByteOrder.LITTLE_ENDIAN;
                nanos = true;
            }
            default -> throw new IOException(String.format(
                    "offset 0: unknown magic number 0x%08x (not a pcap or pcapng file)", magicBigEndian));
        }
        ByteBuffer h = buffer(0, 24, "file header");
        int major = Short.toUnsignedInt(h.getShort(4));
        if (major != 2) {
            throw new IOException("offset 4: pcap format version " + major + "." + h.getShort(6) + " is not 2.x");
        }
        // The upper bits of the link type field carry FCS information; the type is the low 16 bits.
        classicLinkType = h.getInt(20) & 0xffff;
        position = 24;
    }

    private PcapPacket nextClassic() throws IOException {
        if (position == size) {
            return null;
        }
        long at = position;
        ByteBuffer h = buffer(at, 16, "packet record header");
        long seconds = Integer.toUnsignedLong(h.getInt(0));
        long fraction = Integer.toUnsignedLong(h.getInt(4));
        long captured = Integer.toUnsignedLong(h.getInt(8));
        long original = Integer.toUnsignedLong(h.getInt(12));
        if (fraction >= (nanos ? 1_000_000_000L : 1_000_000L)) {
            throw new IOException("offset " + (at + 4) + ": sub-second part " + fraction + " is not below one second");
        }
        checkFrameLength(at + 8, captured, size - at - 16);
        byte[] data = bytes(at + 16, (int) captured);
        position = at + 16 + captured;
        Instant ts = Instant.ofEpochSecond(seconds, nanos ? fraction : fraction * 1000);
        return new PcapPacket(0, null, classicLinkType, ts, (int) Math.min(original, Integer.MAX_VALUE), data);
    }

    // ---- pcapng

    private PcapPacket nextPcapNg() throws IOException {
        while (position < size) {
            long at = position;
            if (size - at < 12) {
                throw new IOException("offset " + at + ": " + (size - at) + " trailing bytes are too few for a block");
            }
            int type = buffer(at, 4, "block type").getInt(0);
            if (type == PcapNgWriter.SHB) {
                sectionHeader(at);
            }
            long length = Integer.toUnsignedLong(buffer(at + 4, 4, "block length").getInt(0));
            if (length < 12 || length % 4 != 0) {
                throw new IOException("offset " + (at + 4) + ": block length " + length
                        + " is not a multiple of 4 of at least 12");
            }
            if (length > size - at) {
                throw new IOException("offset " + (at + 4) + ": block declares " + length + " bytes but only "
                        + (size - at) + " remain in the file");
            }
            long trailer = Integer.toUnsignedLong(buffer(at + length - 4, 4, "block trailer").getInt(0));
            if (trailer != length) {
                throw new IOException("offset " + (at + length - 4) + ": block ends with length " + trailer
                        + " but begins with " + length);
            }
            position = at + length;
            if (type != PcapNgWriter.IDB && type != PcapNgWriter.EPB && type != PcapNgWriter.SPB) {
                continue; // the section header (already read) or a block we do not need: statistics, names, custom
            }
            if (length > MAX_FRAME + MAX_OPTIONS) {
                throw new IOException("offset " + (at + 4) + ": block of type " + type + " declares " + length
                        + " bytes, more than a frame and its options can need");
            }
            ByteBuffer body = buffer(at + 8, (int) (length - 12), "block body");
            switch (type) {
                case PcapNgWriter.IDB -> interfaceDescription(body, at + 8);
                case PcapNgWriter.EPB -> {
                    return enhancedPacket(body, at + 8);
                }
                default -> {
                    return simplePacket(body, at + 8);
                }
            }
        }
        return null;
    }

    private void sectionHeader(long at) throws IOException {
        int magic = ByteBuffer.wrap(bytes(at + 8, 4)).order(ByteOrder.BIG_ENDIAN).getInt();
        if (magic == PcapNgWriter.BYTE_ORDER_MAGIC) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (Integer.reverseBytes(magic) == PcapNgWriter.BYTE_ORDER_MAGIC) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else {
            throw new IOException(String.format("offset %d: byte-order magic 0x%08x is not 0x1a2b3c4d", at + 8, magic));
        }
        int major = Short.toUnsignedInt(buffer(at + 12, 2, "section version").getShort(0));
        if (major != 1) {
            throw new IOException("offset " + (at + 12) + ": pcapng section version " + major + " is not 1.x");
        }
        interfaces.clear(); // interface indexes are per section
    }

    private void interfaceDescription(ByteBuffer body, long at) throws IOException {
        need(body, 8, at, "Interface Description Block");
        int linkType = Short.toUnsignedInt(body.getShort(0));
        long snaplen = Integer.toUnsignedLong(body.getInt(4));
        String name = null;
        BigInteger unitsPerSecond = BigInteger.valueOf(1_000_000);
        long offsetSeconds = 0;
        int p = 8;
        while (p + 4 <= body.limit()) {
            int code = Short.toUnsignedInt(body.getShort(p));
            int len = Short.toUnsignedInt(body.getShort(p + 2));
            if (code == PcapNgWriter.OPT_END) {
                break;
            }
            if (p + 4 + len > body.limit()) {
                throw new IOException("offset " + (at + p + 2) + ": option " + code + " declares " + len
                        + " bytes but the block has " + (body.limit() - p - 4) + " left");
            }
            switch (code) {
                case PcapNgWriter.OPT_IF_NAME -> name = utf8(body, p + 4, len);
                case PcapNgWriter.OPT_IF_TSRESOL -> {
                    need(len, 1, at + p, "if_tsresol");
                    unitsPerSecond = resolution(body.get(p + 4), at + p + 4);
                }
                case PcapNgWriter.OPT_IF_TSOFFSET -> {
                    need(len, 8, at + p, "if_tsoffset");
                    offsetSeconds = body.getLong(p + 4);
                }
                default -> {
                    // other options (description, speed, filter, ...) do not change how frames read
                }
            }
            p += 4 + PcapNgWriter.pad(len);
        }
        interfaces.add(new Interface(linkType, snaplen, name, unitsPerSecond, offsetSeconds));
    }

    private PcapPacket enhancedPacket(ByteBuffer body, long at) throws IOException {
        need(body, 20, at, "Enhanced Packet Block");
        long index = Integer.toUnsignedLong(body.getInt(0));
        if (index >= interfaces.size()) {
            throw new IOException("offset " + at + ": packet names interface " + index + " but the section declares "
                    + interfaces.size());
        }
        Interface itf = interfaces.get((int) index);
        long units = (Integer.toUnsignedLong(body.getInt(4)) << 32) | Integer.toUnsignedLong(body.getInt(8));
        long captured = Integer.toUnsignedLong(body.getInt(12));
        long original = Integer.toUnsignedLong(body.getInt(16));
        checkFrameLength(at + 12, captured, body.limit() - 20);
        byte[] data = new byte[(int) captured];
        body.get(20, data);
        return new PcapPacket((int) index, itf.name(), itf.linkType(), time(itf, units, at + 4),
                (int) Math.min(original, Integer.MAX_VALUE), data);
    }

    private PcapPacket simplePacket(ByteBuffer body, long at) throws IOException {
        need(body, 4, at, "Simple Packet Block");
        if (interfaces.isEmpty()) {
            throw new IOException("offset " + at + ": Simple Packet Block before any Interface Description Block");
        }
        Interface itf = interfaces.getFirst();
        long original = Integer.toUnsignedLong(body.getInt(0));
        long captured = Math.min(original, body.limit() - 4L);
        if (itf.snaplen() != 0) {
            captured = Math.min(captured, itf.snaplen());
        }
        checkFrameLength(at, captured, body.limit() - 4);
        byte[] data = new byte[(int) captured];
        body.get(4, data);
        // A Simple Packet Block has no timestamp.
        return new PcapPacket(0, itf.name(), itf.linkType(), Instant.EPOCH, (int) Math.min(original, Integer.MAX_VALUE),
                data);
    }

    private static BigInteger resolution(byte tsresol, long at) throws IOException {
        int exponent = tsresol & 0x7f;
        boolean binary = (tsresol & 0x80) != 0;
        if (binary ? exponent > 62 : exponent > 18) {
            throw new IOException("offset " + at + ": timestamp resolution " + (binary ? "2^-" : "10^-") + exponent
                    + " is finer than supported");
        }
        return binary ? BigInteger.ONE.shiftLeft(exponent) : BigInteger.TEN.pow(exponent);
    }

    private static Instant time(Interface itf, long units, long at) throws IOException {
        BigInteger[] qr = new BigInteger(Long.toUnsignedString(units)).divideAndRemainder(itf.unitsPerSecond());
        long nanos = qr[1].multiply(BigInteger.valueOf(1_000_000_000L)).divide(itf.unitsPerSecond()).longValueExact();
        try {
            return Instant.ofEpochSecond(Math.addExact(qr[0].longValueExact(), itf.offsetSeconds()), nanos);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            throw new IOException("offset " + at + ": timestamp out of range", e);
        }
    }

    // ---- bounds-checked access

    private static void checkFrameLength(long at, long captured, long available) throws IOException {
        if (captured > available) {
            throw new IOException("offset " + at + ": captured length " + captured + " exceeds the " + available
                    + " bytes that remain");
        }
        if (captured > MAX_FRAME) {
            throw new IOException("offset " + at + ": captured length " + captured + " is larger than any frame ("
                    + MAX_FRAME + " bytes)");
        }
    }

    private static void need(ByteBuffer body, int n, long at, String what) throws IOException {
        if (body.limit() < n) {
            throw new IOException("offset " + at + ": " + what + " body has " + body.limit() + " bytes, needs " + n);
        }
    }

    private static void need(int len, int n, long at, String what) throws IOException {
        if (len < n) {
            throw new IOException("offset " + at + ": option " + what + " has " + len + " bytes, needs " + n);
        }
    }

    private static String utf8(ByteBuffer b, int from, int len) {
        int end = from;
        while (end < from + len && b.get(end) != 0) {
            end++; // some writers add a terminating NUL
        }
        byte[] s = new byte[end - from];
        b.get(from, s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private ByteBuffer buffer(long at, int n, String what) throws IOException {
        if (n < 0 || at + n > size) {
            throw new IOException("offset " + at + ": file ends inside the " + what + " (needs " + n + " bytes, "
                    + Math.max(0, size - at) + " remain)");
        }
        return ByteBuffer.wrap(bytes(at, n)).order(order == null ? ByteOrder.BIG_ENDIAN : order);
    }

    private byte[] bytes(long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b, at + b.position()) < 0) {
                throw new IOException("offset " + (at + b.position()) + ": unexpected end of file");
            }
        }
        return b.array();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
