package dev.tcxsim.linux;

import dev.tcxsim.kernel.UdpSocket;
import dev.tcxsim.linux.ffm.ErrnoException;
import dev.tcxsim.linux.ffm.Sockets;

import java.util.ArrayList;
import java.util.List;

/** A real UDP socket in the session namespace; {@link #received()} drains what the stack delivered. */
final class LinuxUdpSocket implements UdpSocket {
    private final LinuxKernel kernel;
    private final int fd;
    private final List<byte[]> received = new ArrayList<>();
    private boolean closed;

    LinuxUdpSocket(LinuxKernel kernel, int fd) {
        this.kernel = kernel;
        this.fd = fd;
    }

    @Override
    public synchronized List<byte[]> received() {
        if (!closed) {
            try {
                kernel.session().call(() -> {
                    for (byte[] p = Sockets.udpRecv(fd); p != null; p = Sockets.udpRecv(fd)) {
                        received.add(p);
                    }
                    return null;
                });
            } catch (ErrnoException e) {
                throw new IllegalStateException("reading the UDP socket failed: " + e.getMessage(), e);
            }
        }
        return received.stream().map(byte[]::clone).toList();
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
