package dev.tcxsim.cli.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapRoundTripTest {
    static final Instant T0 = Instant.parse("2026-11-25T15:30:00.123456Z");
    static final byte[] A = TestFrames.udp("02:00:00:00:00:01", "02:00:00:00:00:02", "10.0.0.1", "10.0.0.2", 1234,
            5678, "hello from veth0");
    static final byte[] B = TestFrames.udp("02:00:00:00:00:02", "02:00:00:00:00:01", "10.0.0.2", "10.0.0.1", 5678,
            1234, "reply");

    /** A clock that advances one millisecond per reading, like a simulator stamping successive frames. */
    static InstantSource ticking(Instant start) {
        long[] n = {0};
        return () -> start.plusMillis(n[0]++);
    }

    @Test
    void classicRoundTripKeepsBytesAndMicrosecondTimes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.pcap");
        try (PcapWriter w = PcapWriter.create(f, PcapWriter.Format.PCAP, ticking(T0))) {
            assertEquals(PcapWriter.Format.PCAP, w.format());
            w.write("veth0", A);
            w.write("veth1", B);
            w.write("veth0", A, Instant.parse("2030-01-01T00:00:00.999999999Z"));
        }
        List<PcapPacket> ps = PcapReader.readAll(f);
        assertEquals(3, ps.size());
        assertArrayEquals(A, ps.get(0).data());
        assertArrayEquals(B, ps.get(1).data());
        assertEquals(T0, ps.get(0).timestamp());
        assertEquals(T0.plusMillis(1), ps.get(1).timestamp());
        assertEquals(Instant.parse("2030-01-01T00:00:00.999999Z"), ps.get(2).timestamp(), "microseconds are kept");
        for (PcapPacket p : ps) {
            assertEquals(PcapWriter.LINKTYPE_ETHERNET, p.linkType());
            assertNull(p.interfaceName(), "a classic file has no interface names");
            assertEquals(p.data().length, p.originalLength());
            assertFalse(p.truncated());
        }
        assertEquals(24 + 3 * 16 + 2 * A.length + B.length, Files.size(f));
    }

    @Test
    void pcapngNamesOneInterfacePerDevice(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.pcapng");
        assertEquals(PcapWriter.Format.PCAPNG, PcapWriter.Format.forFileName(f.toString()));
        try (PcapWriter w = PcapWriter.create(f, PcapWriter.Format.PCAPNG, ticking(T0))) {
            w.declareDevice("lo");
            w.write("veth0", A);
            w.write("veth1", B);
            w.write("veth0", B);
        }
        List<PcapPacket> ps = PcapReader.readAll(f);
        assertEquals(List.of("veth0", "veth1", "veth0"), ps.stream().map(PcapPacket::interfaceName).toList());
        assertEquals(List.of(1, 2, 1), ps.stream().map(PcapPacket::interfaceIndex).toList(), "lo is interface 0");
        assertArrayEquals(A, ps.get(0).data());
        assertArrayEquals(B, ps.get(2).data());
        assertEquals(T0.plusMillis(2), ps.get(2).timestamp());
        try (PcapReader r = PcapReader.open(f)) {
            assertEquals(PcapWriter.Format.PCAPNG, r.format());
        }
    }

    @Test
    void framesLongerThanSnaplenAreTruncatedWithTheirOriginalLength(@TempDir Path dir) throws IOException {
        byte[] jumbo = new byte[PcapWriter.SNAPLEN + 100];
        jumbo[PcapWriter.SNAPLEN - 1] = 42;
        for (PcapWriter.Format format : PcapWriter.Format.values()) {
            Path f = dir.resolve("big." + format.name().toLowerCase());
            try (PcapWriter w = PcapWriter.create(f, format, InstantSource.fixed(T0))) {
                assertEquals(PcapWriter.SNAPLEN, w.snaplen());
                w.write("veth0", jumbo);
            }
            PcapPacket p = PcapReader.readAll(f).getFirst();
            assertEquals(PcapWriter.SNAPLEN, p.data().length, format.name());
            assertEquals(jumbo.length, p.originalLength(), format.name());
            assertEquals(42, p.data()[PcapWriter.SNAPLEN - 1]);
            assertTrue(p.truncated());

            Path small = dir.resolve("small." + format.name().toLowerCase());
            try (PcapWriter w = PcapWriter.create(small, format, InstantSource.fixed(T0), 20)) {
                w.write("veth0", A);
            }
            PcapPacket q = PcapReader.readAll(small).getFirst();
            assertArrayEquals(java.util.Arrays.copyOf(A, 20), q.data(), format.name());
            assertEquals(A.length, q.originalLength());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PcapWriter.create(dir.resolve("x"), PcapWriter.Format.PCAP, InstantSource.fixed(T0), 0));
        assertTrue(e.getMessage().contains("snaplen 0"), e.getMessage());
    }

    @Test
    void timesAClassicFileCannotHoldAreRefused() throws IOException {
        PcapWriter w = PcapWriter.classic(new ByteArrayOutputStream(), InstantSource.fixed(T0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> w.write("veth0", A, Instant.parse("1969-12-31T23:59:59Z")));
        assertTrue(e.getMessage().contains("1969-12-31T23:59:59Z"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.write("veth0", A, Instant.parse("2107-01-01T00:00:00Z")));
    }

    @Test
    void readsClassicBigEndianWithNanosecondMagic(@TempDir Path dir) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + A.length).order(ByteOrder.BIG_ENDIAN);
        b.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        b.putInt(1_700_000_000).putInt(123_456_789).putInt(A.length).putInt(A.length).put(A);
        Path f = dir.resolve("be-ns.pcap");
        Files.write(f, b.array());
        PcapPacket p = PcapReader.readAll(f).getFirst();
        assertEquals(Instant.ofEpochSecond(1_700_000_000, 123_456_789), p.timestamp());
        assertArrayEquals(A, p.data());
    }

    @Test
    void readsClassicLittleEndianWithNanosecondMagic(@TempDir Path dir) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + B.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        b.putInt(1_700_000_000).putInt(5).putInt(B.length).putInt(B.length + 10).put(B);
        Path f = dir.resolve("le-ns.pcap");
        Files.write(f, b.array());
        PcapPacket p = PcapReader.readAll(f).getFirst();
        assertEquals(Instant.ofEpochSecond(1_700_000_000, 5), p.timestamp());
        assertEquals(B.length + 10, p.originalLength());
    }

    @Test
    void readsBigEndianPcapngWithSimplePacketsUnknownBlocksAndNanosecondResolution(@TempDir Path dir)
            throws IOException {
        PcapNgBuilder ng = new PcapNgBuilder(ByteOrder.BIG_ENDIAN);
        ng.sectionHeader();
        ng.block(0x0BAD, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}); // unknown: skipped
        ng.interfaceDescription("eth9", (byte) 9, 0);
        ng.simplePacket(A);
        ng.enhancedPacket(0, 1_700_000_000_000_000_123L, A, A.length);
        ng.block(5, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}); // interface statistics: skipped
        Path f = dir.resolve("be.pcapng");
        Files.write(f, ng.bytes());
        List<PcapPacket> ps = PcapReader.readAll(f);
        assertEquals(2, ps.size());
        assertArrayEquals(A, ps.get(0).data(), "simple packet block");
        assertEquals("eth9", ps.get(0).interfaceName());
        assertEquals(Instant.ofEpochSecond(1_700_000_000, 123), ps.get(1).timestamp(), "if_tsresol 9 is nanoseconds");
    }

    @Test
    void aNewSectionResetsInterfacesAndMayChangeByteOrder(@TempDir Path dir) throws IOException {
        PcapNgBuilder le = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN);
        le.sectionHeader();
        le.interfaceDescription("first", (byte) 6, 0);
        le.enhancedPacket(0, 1_000_000, A, A.length);
        PcapNgBuilder be = new PcapNgBuilder(ByteOrder.BIG_ENDIAN);
        be.sectionHeader();
        be.interfaceDescription("second", (byte) 6, 0);
        be.enhancedPacket(0, 2_000_000, B, B.length);
        Path f = dir.resolve("two.pcapng");
        Files.write(f, concat(le.bytes(), be.bytes()));
        List<PcapPacket> ps = PcapReader.readAll(f);
        assertEquals(List.of("first", "second"), ps.stream().map(PcapPacket::interfaceName).toList());
        assertEquals(Instant.ofEpochSecond(2), ps.get(1).timestamp());
        assertArrayEquals(B, ps.get(1).data());
    }

    @Test
    void ethernetFramesForSendingRefuseOtherLinkTypesAndCutFrames(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.pcapng");
        try (PcapWriter w = PcapWriter.create(good, PcapWriter.Format.PCAPNG, InstantSource.fixed(T0))) {
            w.write("veth0", A);
            w.write("veth1", B);
        }
        List<byte[]> frames = PcapReader.readEthernetFrames(good);
        assertEquals(2, frames.size());
        assertArrayEquals(B, frames.get(1));

        Path cut = dir.resolve("cut.pcap");
        try (PcapWriter w = PcapWriter.create(cut, PcapWriter.Format.PCAP, InstantSource.fixed(T0), 30)) {
            w.write("veth0", A);
        }
        IOException e = assertThrows(IOException.class, () -> PcapReader.readEthernetFrames(cut));
        assertTrue(e.getMessage().contains("packet 1 was captured cut short (30 of " + A.length + " bytes)"),
                e.getMessage());

        PcapNgBuilder sll = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader();
        sll.block(1, sll.buf(8).putShort((short) 113).putShort((short) 0).putInt(0).array());
        sll.enhancedPacket(0, 0, A, A.length);
        Path other = Files.write(dir.resolve("sll.pcapng"), sll.bytes());
        e = assertThrows(IOException.class, () -> PcapReader.readEthernetFrames(other));
        assertTrue(e.getMessage().contains("packet 1 has link type 113"), e.getMessage());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
