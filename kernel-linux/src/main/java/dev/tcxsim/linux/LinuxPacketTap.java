package dev.tcxsim.linux;

import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.linux.ffm.ErrnoException;
import dev.tcxsim.linux.ffm.Sockets;

import java.util.ArrayList;
import java.util.List;

/**
 * An AF_PACKET socket bound to one device that ignores the device's own transmissions, so it sees
 * what arrives there; packet taps run before tc ingress, as tcpdump's do.
 */
final class LinuxPacketTap implements PacketTap {
    private final LinuxKernel kernel;
    private final int fd;
    private final List<byte[]> frames = new ArrayList<>();
    private boolean closed;

    LinuxPacketTap(LinuxKernel kernel, int fd) {
        this.kernel = kernel;
        this.fd = fd;
    }

    @Override
    public synchronized List<byte[]> frames() {
        if (!closed) {
            try {
                kernel.session().call(() -> {
                    for (Sockets.Captured c = Sockets.packetRecv(fd); c != null; c = Sockets.packetRecv(fd)) {
                        if (c.pktType() != Sockets.PACKET_OUTGOING) {
                            frames.add(c.frame());
                        }
                    }
                    return null;
                });
            } catch (ErrnoException e) {
                throw new IllegalStateException("reading the packet tap failed: " + e.getMessage(), e);
            }
        }
        return frames.stream().map(byte[]::clone).toList();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            kernel.closeTracked(fd);
            kernel.forget(this);
        }
    }
}
