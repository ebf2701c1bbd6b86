package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.UdpSocket;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A bound UDP socket of the simulated stack. ip 0 = INADDR_ANY. */
final class SimUdpSocket implements UdpSocket {
    final int ip;
    final int port;
    private final List<byte[]> received = new ArrayList<>();
    private final Consumer<SimUdpSocket> onClose;

    SimUdpSocket(int ip, int port, Consumer<SimUdpSocket> onClose) {
        this.ip = ip;
        this.port = port;
        this.onClose = onClose;
    }

    synchronized void deliver(byte[] payload) {
        received.add(payload.clone());
    }

    @Override
    public synchronized List<byte[]> received() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] p : received) {
            out.add(p.clone());
        }
        return out;
    }

    @Override
    public void close() {
        onClose.accept(this);
    }
}
