package dev.tcxsim.kernel;

import java.util.List;

/** A bound UDP socket that records the payloads the local stack delivered to it. */
public interface UdpSocket extends AutoCloseable {
    /** Payloads received so far, in arrival order. */
    List<byte[]> received();

    @Override
    void close();
}
