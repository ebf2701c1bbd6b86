package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.TcDirection;

/**
 * A tcx link (BPF_LINK_TYPE_TCX): owns its program reference and one slot of a hook. {@code dev}
 * is null once the link is defunct (detached, or its device is gone); the attach type stays.
 */
final class SimLink extends KObject {
    final TcDirection dir;
    volatile SimProg prog;
    volatile SimDevice dev;
    private final Runnable onRelease;

    SimLink(int id, SimProg prog, SimDevice dev, TcDirection dir, Runnable onRelease) {
        super(id);
        this.prog = prog;
        this.dev = dev;
        this.dir = dir;
        this.onRelease = onRelease;
    }

    @Override
    void release() {
        onRelease.run();
    }

    @Override
    public String toString() {
        return "link " + id + " (" + prog + (dev == null ? ", defunct" : ", " + dev.name + " " + dir) + ")";
    }
}
