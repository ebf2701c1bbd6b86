package dev.tcxsim.tcx;

import dev.tcxsim.tcx.World.Link;
import dev.tcxsim.tcx.World.Prog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers on real threads walk the active entry while a writer inserts, deletes and replaces.
 * The writer keeps every published array sorted by a key (each key has two interchangeable
 * programs, so a replace keeps the order). A reader that ever saw an entry being edited under
 * it would see a key twice or out of order (a half-shifted array); it must never happen.
 */
class MprogConcurrencyTest {
    static final int KEYS = 40;
    static final int WRITES = 20_000;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)   // a lost reader count must fail the build, not hang it
    void readersAlwaysSeeAWholeSortedArray() throws Exception {
        World w = new World();
        Mprog<Prog, Link> m = new Mprog<>();
        Prog[][] byKey = new Prog[KEYS][2];
        int[] keyOf = new int[1000];
        for (int k = 0; k < KEYS; k++) {
            for (int v = 0; v < 2; v++) {
                byKey[k][v] = w.prog();
                keyOf[byKey[k][v].id] = k;
            }
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> broken = new AtomicReference<>();
        AtomicLong walks = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            Thread t = Thread.ofPlatform().start(() -> {
                while (!done.get() && broken.get() == null) {
                    MprogEntry<Prog> e = m.readBegin();
                    try {
                        int last = -1;
                        for (int i = 0; i < Mprog.SLOTS; i++) {
                            Prog p = e.prog(i);
                            if (p == null) {
                                break;
                            }
                            int k = keyOf[p.id];
                            if (k <= last) {
                                broken.compareAndSet(null, "slot " + i + " has key " + k + " after key " + last);
                            }
                            last = k;
                        }
                    } finally {
                        m.readEnd(e);
                    }
                    walks.incrementAndGet();
                }
            });
            readers.add(t);
        }
        SplittableRandom rnd = new SplittableRandom(42);
        int[] variant = new int[KEYS];
        boolean[] present = new boolean[KEYS];
        for (int n = 0; n < WRITES && broken.get() == null; n++) {
            int k = rnd.nextInt(KEYS);
            Prog cur = byKey[k][variant[k]];
            if (!present[k]) {
                // insert right after the closest present smaller key, or prepend
                int prev = k - 1;
                while (prev >= 0 && !present[prev]) {
                    prev--;
                }
                if (prev < 0) {
                    m.attach(cur, null, null, MprogFlags.BEFORE, 0, 0, w);
                } else {
                    m.attach(cur, null, null, MprogFlags.AFTER, byKey[prev][variant[prev]].fd, 0, w);
                }
                present[k] = true;
            } else if (rnd.nextBoolean()) {
                Prog other = byKey[k][1 - variant[k]];
                m.attach(other, null, cur, MprogFlags.REPLACE, 0, 0, w);
                variant[k] = 1 - variant[k];
            } else {
                m.detach(cur, null, 0, 0, 0, w);
                present[k] = false;
            }
        }
        done.set(true);
        for (Thread t : readers) {
            t.join();
        }
        assertNull(broken.get(), broken.get());
        assertTrue(walks.get() > 0, "readers walked");
        int expected = 0;
        for (boolean b : present) {
            expected += b ? 1 : 0;
        }
        assertEquals(expected, m.count());
        assertEquals(1 + WRITES, m.revision());
    }
}
