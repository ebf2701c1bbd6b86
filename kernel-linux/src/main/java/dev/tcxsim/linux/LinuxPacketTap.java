package dev.tcxsim.linux;

import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.linux.ffm.ErrnoException;
import dev.tcxsim.linux.ffm.Sockets;

import java.util.List;

/**
 * An AF_PACKET socket bound to one device that ignores the device's own transmissions, so it sees
 * what arrives there; packet taps run before tc ingress, as tcpdump's do.
 */
final class LinuxPacketTap extends DrainedSocket implements PacketTap {
    LinuxPacketTap(LinuxKernel kernel, int fd) {
        super(kernel, fd, "packet tap");
    }

    @Override
    protected void drainInto(List<byte[]> out) throws ErrnoException {
        for (Sockets.Captured c = Sockets.packetRecv(fd); c != null; c = Sockets.packetRecv(fd)) {
            if (c.pktType() != Sockets.PACKET_OUTGOING) {
                out.add(c.frame());
            }
        }
    }

    @Override
    public List<byte[]> frames() {
        return arrived();
    }
}
