package dev.tcxsim.tcx;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One fast-path array of a bundle: {@link Mprog#SLOTS} program slots, NULL-terminated, so at
 * most {@link Mprog#MAX_PROGS} programs. Packets walk it from slot 0 to the first null.
 *
 * <p>Slots are atomic references so an in-place replace is one store a concurrent reader sees
 * whole. {@code readers} counts packets walking this entry: the writer's stand-in for an RCU
 * grace period waits for it to drop to zero before reusing the entry.
 *
 * @param <P> program object
 */
public final class MprogEntry<P> {
    private static final AtomicLong CREATED = new AtomicLong();

    final AtomicReferenceArray<P> fp = new AtomicReferenceArray<>(Mprog.SLOTS);
    final AtomicInteger readers = new AtomicInteger();

    MprogEntry() {
        CREATED.incrementAndGet();
    }

    /** How many entries were ever created in this JVM (two per bundle): tests use it to prove detach allocates nothing. */
    public static long created() {
        return CREATED.get();
    }

    /** The program in slot {@code i}, or null at and after the end marker. */
    public P prog(int i) {
        return fp.get(i);
    }

    /** Number of programs before the end marker (a reader's view; walks the array). */
    public int length() {
        int n = 0;
        while (n < Mprog.SLOTS && fp.get(n) != null) {
            n++;
        }
        return n;
    }
}
