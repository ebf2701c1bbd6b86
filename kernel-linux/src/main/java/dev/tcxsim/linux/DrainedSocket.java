package dev.tcxsim.linux;

import dev.tcxsim.linux.ffm.ErrnoException;

import java.util.ArrayList;
import java.util.List;

/**
 * A non-blocking socket of a session whose arrivals are collected on demand: reading drains the
 * socket on the session thread (the socket lives in the session's namespace) and keeps what came.
 */
abstract class DrainedSocket implements AutoCloseable {
    private final LinuxKernel kernel;
    protected final int fd;
    private final String what;
    private final List<byte[]> arrived = new ArrayList<>();
    private boolean closed;

    DrainedSocket(LinuxKernel kernel, int fd, String what) {
        this.kernel = kernel;
        this.fd = fd;
        this.what = what;
    }

    /** Reads everything waiting on {@link #fd} into {@code out}; runs on the session thread. */
    protected abstract void drainInto(List<byte[]> out) throws ErrnoException;

    /** Everything that arrived so far, as copies. */
    protected final synchronized List<byte[]> arrived() {
        if (!closed) {
            try {
                kernel.session().call(() -> {
                    drainInto(arrived);
                    return null;
                });
            } catch (ErrnoException e) {
                throw new IllegalStateException("reading the " + what + " failed: " + e.getMessage(), e);
            }
        }
        return arrived.stream().map(byte[]::clone).toList();
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
