package dev.tcxsim.cli.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged files give an IOException naming the byte offset of what is wrong, never another failure. */
class PcapMalformedTest {
    @TempDir
    Path dir;

    private String failure(byte[] content) throws IOException {
        Path f = Files.write(dir.resolve("bad-" + System.nanoTime()), content);
        IOException e = assertThrows(IOException.class, () -> PcapReader.readAll(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    private static void contains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
        }
    }

    private static ByteBuffer classicHeader(int extra) {
        ByteBuffer b = ByteBuffer.allocate(24 + extra).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        return b;
    }

    @Test
    void tooShortAndUnknownMagic() throws IOException {
        contains(failure(new byte[5]), "only 5 bytes");
        contains(failure("this is not a capture file".getBytes()), "offset 0", "unknown magic number 0x74686973");
    }

    @Test
    void classicVersionOtherThanTwo() throws IOException {
        ByteBuffer b = classicHeader(0);
        b.putShort(4, (short) 3);
        contains(failure(b.array()), "offset 4", "version 3.4");
    }

    @Test
    void classicHugeCapturedLengthIsRefusedWithoutAllocating() throws IOException {
        ByteBuffer b = classicHeader(16 + 8);
        b.position(24);
        b.putInt(1).putInt(0).putInt(0xfffffff0).putInt(0xfffffff0);
        contains(failure(b.array()), "offset 32", "captured length 4294967280", "8 bytes that remain");
    }

    @Test
    void classicRecordHeaderCutShort() throws IOException {
        contains(failure(classicHeader(10).array()), "offset 24", "packet record header", "10 remain");
    }

    @Test
    void classicMicrosecondsOfOneSecondOrMore() throws IOException {
        ByteBuffer b = classicHeader(16);
        b.position(24);
        b.putInt(1).putInt(1_000_000).putInt(0).putInt(0);
        contains(failure(b.array()), "offset 28", "1000000");
    }

    @Test
    void pcapngBlockLongerThanTheFile() throws IOException {
        PcapNgBuilder ng = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader();
        ng.raw(ng.buf(12).putInt(6).putInt(0xfffffff0).putInt(0).array());
        contains(failure(ng.bytes()), "offset 32", "declares 4294967280 bytes", "only 12 remain");
    }

    @Test
    void pcapngBlockLengthNotAMultipleOfFour() throws IOException {
        PcapNgBuilder ng = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader();
        ng.raw(ng.buf(16).putInt(6).putInt(13).putInt(0).putInt(13).array());
        contains(failure(ng.bytes()), "offset 32", "block length 13");
    }

    @Test
    void pcapngTrailerDisagreesWithHeader() throws IOException {
        PcapNgBuilder ng = new PcapNgBuilder(ByteOrder.BIG_ENDIAN).sectionHeader();
        ng.raw(ng.buf(16).putInt(0x0BAD).putInt(16).putInt(0).putInt(20).array());
        contains(failure(ng.bytes()), "offset 40", "ends with length 20 but begins with 16");
    }

    @Test
    void pcapngBadByteOrderMagicAndVersion() throws IOException {
        byte[] shb = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader().bytes();
        byte[] badMagic = shb.clone();
        badMagic[8] = 0x55;
        contains(failure(badMagic), "offset 8", "byte-order magic");
        byte[] badVersion = shb.clone();
        badVersion[12] = 2;
        contains(failure(badVersion), "offset 12", "version 2");
    }

    @Test
    void pcapngPacketForAnUndeclaredInterface() throws IOException {
        PcapNgBuilder ng = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader();
        ng.interfaceDescription("veth0", (byte) 6, 0);
        int at = ng.bytes().length;
        ng.enhancedPacket(3, 0, new byte[60], 60);
        contains(failure(ng.bytes()), "offset " + (at + 8), "interface 3", "declares 1");
    }

    @Test
    void pcapngCapturedLengthBeyondItsBlock() throws IOException {
        PcapNgBuilder ng = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader();
        ng.interfaceDescription("veth0", (byte) 6, 0);
        int at = ng.bytes().length;
        ng.enhancedPacket(0, 0, new byte[60], 100_000);
        contains(failure(ng.bytes()), "offset " + (at + 20), "captured length 100000", "60 bytes");
    }

    @Test
    void pcapngSimplePacketBeforeAnyInterface() throws IOException {
        PcapNgBuilder ng = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader();
        ng.simplePacket(new byte[60]);
        contains(failure(ng.bytes()), "offset 36", "before any Interface Description Block");
    }

    @Test
    void pcapngOptionOverrunsItsBlock() throws IOException {
        PcapNgBuilder ng = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader();
        ng.block(1, ng.buf(16).putShort((short) 1).putShort((short) 0).putInt(0)
                .putShort((short) 2).putShort((short) 500).putInt(0).array());
        contains(failure(ng.bytes()), "offset 46", "option 2 declares 500 bytes");
    }

    @Test
    void pcapngTimestampResolutionTooFine() throws IOException {
        PcapNgBuilder ng = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader();
        ng.interfaceDescription("veth0", (byte) 40, 0);
        contains(failure(ng.bytes()), "timestamp resolution 10^-40");
    }

    @Test
    void pcapngTrailingBytesTooFewForABlock() throws IOException {
        PcapNgBuilder ng = new PcapNgBuilder(ByteOrder.LITTLE_ENDIAN).sectionHeader();
        ng.raw(new byte[] {1, 2, 3, 4, 5, 6});
        contains(failure(ng.bytes()), "offset 28", "6 trailing bytes");
    }

    /**
     * Every prefix of a good file, and many randomly damaged copies, either read or fail with an
     * IOException: no other exception, no OutOfMemoryError. The seed is fixed and printed on failure.
     */
    @Test
    void truncatedAndCorruptedFilesOnlyEverFailWithIOException() throws IOException {
        for (PcapWriter.Format format : PcapWriter.Format.values()) {
            Path good = dir.resolve("good." + format.name().toLowerCase());
            try (PcapWriter w = PcapWriter.create(good, format, PcapRoundTripTest.ticking(PcapRoundTripTest.T0))) {
                w.write("veth0", PcapRoundTripTest.A);
                w.write("veth1", PcapRoundTripTest.B);
            }
            byte[] bytes = Files.readAllBytes(good);
            Path f = dir.resolve("damaged");
            int ok = 0;
            for (int cut = 0; cut < bytes.length; cut++) {
                Files.write(f, Arrays.copyOf(bytes, cut));
                ok += readsOrFailsCleanly(f, format + " cut at " + cut);
            }
            long seed = 0x7c5_2026L + format.ordinal();
            SplittableRandom random = new SplittableRandom(seed);
            for (int round = 0; round < 400; round++) {
                byte[] copy = bytes.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
                }
                Files.write(f, copy);
                ok += readsOrFailsCleanly(f, format + " seed " + seed + " round " + round);
            }
            assertTrue(ok > 0, "some damaged files still read (e.g. a cut right after a whole record)");
        }
    }

    private static int readsOrFailsCleanly(Path f, String what) {
        try {
            PcapReader.readAll(f);
            return 1;
        } catch (IOException e) {
            assertTrue(e.getMessage().contains("offset") || e.getMessage().contains("bytes"), what + ": " + e);
            return 0;
        } catch (RuntimeException | Error e) {
            throw new AssertionError(what + ": not an IOException", e);
        }
    }

    @Test
    void emptyClassicFileHasNoPackets() throws IOException {
        Path f = dir.resolve("empty.pcap");
        PcapWriter.create(f, PcapWriter.Format.PCAP, InstantSource.system()).close();
        assertEquals(0, PcapReader.readAll(f).size());
    }
}
