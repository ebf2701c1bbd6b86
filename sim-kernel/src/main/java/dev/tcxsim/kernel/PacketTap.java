package dev.tcxsim.kernel;

import java.util.List;

/** A packet tap on one device: frames that arrived there, captured before tc ingress. */
public interface PacketTap extends AutoCloseable {
    /** Frames captured so far (from the Ethernet header on), in arrival order. */
    List<byte[]> frames();

    @Override
    void close();
}
