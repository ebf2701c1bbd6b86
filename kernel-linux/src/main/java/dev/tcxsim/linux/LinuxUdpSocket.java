package dev.tcxsim.linux;

import dev.tcxsim.kernel.UdpSocket;
import dev.tcxsim.linux.ffm.ErrnoException;
import dev.tcxsim.linux.ffm.Sockets;

import java.util.List;

/** A real UDP socket in the session namespace; {@link #received()} drains what the stack delivered. */
final class LinuxUdpSocket extends DrainedSocket implements UdpSocket {
    LinuxUdpSocket(LinuxKernel kernel, int fd) {
        super(kernel, fd, "UDP socket");
    }

    @Override
    protected void drainInto(List<byte[]> out) throws ErrnoException {
        for (byte[] p = Sockets.udpRecv(fd); p != null; p = Sockets.udpRecv(fd)) {
            out.add(p);
        }
    }

    @Override
    public List<byte[]> received() {
        return arrived();
    }
}
