package dev.tcxsim.cli.pcap;

import java.time.Instant;

/**
 * One frame read from a capture file.
 *
 * @param interfaceIndex the pcapng interface index, 0 in a classic file
 * @param interfaceName  the interface's {@code if_name}, or null when the file does not say
 * @param linkType       the LINKTYPE_* of the frame (1 for Ethernet)
 * @param timestamp      when it was captured
 * @param originalLength the frame's length on the wire; more than {@code data.length} when truncated
 * @param data           the captured bytes
 */
public record PcapPacket(int interfaceIndex, String interfaceName, int linkType, Instant timestamp, int originalLength,
                         byte[] data) {
    public PcapPacket {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** True when the file holds fewer bytes than the frame had. */
    public boolean truncated() {
        return data.length < originalLength;
    }
}
