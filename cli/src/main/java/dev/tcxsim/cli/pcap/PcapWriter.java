package dev.tcxsim.cli.pcap;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;

/**
 * Writes Ethernet frames to a capture file that tcpdump and Wireshark read.
 *
 * <p>Two formats: classic libpcap ({@link #classic}), which has no notion of interfaces, so a caller
 * that captures several devices writes one file per device; and pcapng ({@link #pcapng}), which
 * declares one interface per device (its name in the {@code if_name} option) the first time a frame
 * of that device is written, so one file holds every device.
 *
 * <p>Timestamps come from the {@link InstantSource} given at creation, so a simulator can stamp frames
 * with its own clock and tests can use a fixed one. Frames longer than the snap length ({@link #SNAPLEN}
 * unless chosen, like {@code tcpdump -s}) are truncated in the file and keep their original length in
 * the record, as a real capture would.
 */
public sealed interface PcapWriter extends Closeable permits ClassicPcapWriter, PcapNgWriter {
    /** LINKTYPE_ETHERNET: every frame starts with a 14-byte Ethernet header. */
    int LINKTYPE_ETHERNET = 1;
    /** The default and largest number of bytes of one frame kept in the file (libpcap's maximum). */
    int SNAPLEN = 262_144;

    /** The two file formats. */
    enum Format {
        PCAP, PCAPNG;

        /** PCAPNG for a name ending in {@code .pcapng}, PCAP otherwise. */
        public static Format forFileName(String name) {
            return name.toLowerCase(Locale.ROOT).endsWith(".pcapng") ? PCAPNG : PCAP;
        }
    }

    /** A classic libpcap writer with microsecond timestamps; writes the file header at once. */
    static PcapWriter classic(OutputStream out, InstantSource clock) throws IOException {
        return new ClassicPcapWriter(out, clock, SNAPLEN);
    }

    /** A pcapng writer (one section, one interface per device); writes the section header at once. */
    static PcapWriter pcapng(OutputStream out, InstantSource clock) throws IOException {
        return new PcapNgWriter(out, clock, SNAPLEN);
    }

    /** Creates (or truncates) {@code file} and returns a writer of the given format into it. */
    static PcapWriter create(Path file, Format format, InstantSource clock) throws IOException {
        return create(file, format, clock, SNAPLEN);
    }

    /**
     * Like {@link #create(Path, Format, InstantSource)}, keeping at most {@code snaplen} bytes of each
     * frame.
     *
     * @throws IllegalArgumentException if snaplen is not between 1 and {@link #SNAPLEN}
     */
    static PcapWriter create(Path file, Format format, InstantSource clock, int snaplen) throws IOException {
        if (snaplen < 1 || snaplen > SNAPLEN) {
            throw new IllegalArgumentException("snaplen " + snaplen + " is not between 1 and " + SNAPLEN);
        }
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file));
        try {
            return format == Format.PCAPNG ? new PcapNgWriter(out, clock, snaplen)
                    : new ClassicPcapWriter(out, clock, snaplen);
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** Writes one frame seen on {@code device}, stamped with the writer's clock. */
    default void write(String device, byte[] frame) throws IOException {
        write(device, frame, clock().instant());
    }

    /**
     * Writes one frame seen on {@code device} at {@code when}. A classic file does not record the
     * device; a pcapng file names it.
     *
     * @throws IllegalArgumentException if {@code when} cannot be stored in the format (before 1970, or
     *                                  after 2106 in a classic file)
     */
    void write(String device, byte[] frame, Instant when) throws IOException;

    /**
     * Declares a device before any of its frames, so that a pcapng file lists devices that carried no
     * traffic too. A classic file has no interface list: nothing is written.
     */
    default void declareDevice(String device) throws IOException {
    }

    /** The clock frames are stamped with when no time is given. */
    InstantSource clock();

    /** The most bytes of one frame this writer keeps. */
    int snaplen();

    /** The format this writer produces. */
    Format format();
}
