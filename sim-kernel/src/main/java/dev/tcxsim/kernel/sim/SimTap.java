package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.PacketTap;

import java.util.ArrayList;
import java.util.List;

/** A packet tap: copies of the frames arriving on one device, before tc ingress. */
final class SimTap implements PacketTap {
    private final SimDevice dev;
    private final List<byte[]> frames = new ArrayList<>();

    SimTap(SimDevice dev) {
        this.dev = dev;
    }

    synchronized void capture(byte[] frame) {
        frames.add(frame.clone());
    }

    @Override
    public synchronized List<byte[]> frames() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] f : frames) {
            out.add(f.clone());
        }
        return out;
    }

    @Override
    public void close() {
        dev.taps.remove(this);
    }
}
