package dev.tcxsim.kernel.sim;

/**
 * A refcounted kernel object (program, map, link). References are held by fds, bpffs pins,
 * attachments and other objects; the last put releases it. Guarded by the kernel's lock.
 */
abstract class KObject {
    final int id;
    private int refs;
    private boolean released;

    KObject(int id) {
        this.id = id;
    }

    final void get() {
        if (released) {
            throw new IllegalStateException(this + " was already released");
        }
        refs++;
    }

    final void put() {
        if (--refs == 0) {
            released = true;
            release();
        }
    }

    final boolean released() {
        return released;
    }

    /** Runs once, when the last reference goes. */
    abstract void release();
}
