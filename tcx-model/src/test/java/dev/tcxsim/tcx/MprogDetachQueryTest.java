package dev.tcxsim.tcx;

import dev.tcxsim.tcx.World.Link;
import dev.tcxsim.tcx.World.Prog;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.tcxsim.tcx.MprogAttachTest.errno;
import static dev.tcxsim.tcx.MprogFlags.AFTER;
import static dev.tcxsim.tcx.MprogFlags.BEFORE;
import static dev.tcxsim.tcx.MprogFlags.LINK;
import static dev.tcxsim.tcx.MprogFlags.REPLACE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Detach (section 3) and query (section 4) rules against the model. */
class MprogDetachQueryTest {
    final World w = new World();
    final Mprog<Prog, Link> m = new Mprog<>();

    List<Prog> fill(int n) throws MprogException {
        List<Prog> ps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Prog p = w.prog();
            m.attach(p, null, null, 0, 0, 0, w);
            ps.add(p);
        }
        return ps;
    }

    List<Prog> order() {
        return m.slots().stream().map(Mprog.Slot::prog).toList();
    }

    void detach(Prog p, int flags, int rel) throws MprogException {
        m.detach(p, null, flags, rel, 0, w);
    }

    @Test
    void detachFormsFromTheSelftest() throws MprogException {
        List<Prog> ps = fill(4);
        Prog p1 = ps.get(0), p2 = ps.get(1), p3 = ps.get(2), p4 = ps.get(3);
        detach(p1, BEFORE, p2.fd);
        assertEquals(List.of(p2, p3, p4), order());
        errno(Errno.ENOENT, () -> detach(p1, BEFORE, p2.fd));   // p1 no longer attached
        errno(Errno.ERANGE, () -> detach(p2, BEFORE, p4.fd));   // p2 is not directly before p4
        errno(Errno.ENOENT, () -> detach(p2, BEFORE, p1.fd));   // relative not attached
        errno(Errno.ERANGE, () -> detach(p2, AFTER, p2.fd));
        detach(null, AFTER, p2.fd);                             // removes the slot after p2
        assertEquals(List.of(p2, p4), order());
        detach(null, BEFORE, 0);                                // removes the first
        assertEquals(List.of(p4), order());
        assertEquals(8, m.revision());
    }

    @Test
    void detachWithoutArgumentsRemovesTheLast() throws MprogException {
        List<Prog> ps = fill(3);
        detach(null, 0, 0);
        assertEquals(ps.subList(0, 2), order());
        detach(null, AFTER, 0);
        assertEquals(ps.subList(0, 1), order());
    }

    @Test
    void detachErrnoOrder() throws MprogException {
        errno(Errno.EINVAL, () -> m.detach(null, null, REPLACE, 0, 99, w));   // REPLACE before ESTALE
        errno(Errno.ESTALE, () -> m.detach(null, null, 0, 0, 99, w));         // ESTALE before empty
        errno(Errno.ENOENT, () -> detach(null, 0, 0));                        // empty hook
        errno(Errno.ENOENT, () -> detach(null, BEFORE, 0));
        List<Prog> ps = fill(2);
        errno(Errno.ENOENT, () -> detach(w.prog(), 0, 0));
        errno(Errno.EINVAL, () -> detach(null, 0, ps.get(0).fd));             // R without BEFORE/AFTER
        errno(Errno.EINVAL, () -> detach(null, LINK, 0));
        errno(Errno.ERANGE, () -> detach(ps.get(0), AFTER, 0));               // p0 is not last
        errno(Errno.ERANGE, () -> detach(ps.get(1), BEFORE, 0));              // p1 is not first
        assertEquals(3, m.revision());
    }

    @Test
    void detachLastAtCapacityIsEraneButNamedWorks() throws MprogException {
        List<Prog> ps = fill(Mprog.MAX_PROGS);
        errno(Errno.ERANGE, () -> detach(null, 0, 0));
        errno(Errno.ERANGE, () -> detach(null, AFTER, 0));
        detach(ps.getLast(), 0, 0);
        assertEquals(Mprog.MAX_PROGS - 1, m.count());
        detach(null, 0, 0);                                                   // 62: works again
        Prog p = w.prog();
        m.attach(p, null, null, 0, 0, 0, w);
        m.attach(w.prog(), null, null, 0, 0, 0, w);
        detach(null, BEFORE, 0);                                              // first: fine at 63
        assertEquals(ps.get(1), order().getFirst());
    }

    @Test
    void linkSlotsAreBusyForPlainDetach() throws MprogException {
        Prog p1 = w.prog(), p2 = w.prog();
        m.attach(p1, null, null, 0, 0, 0, w);
        Link l2 = w.link(p2);
        m.attach(p2, l2, null, 0, 0, 0, w);
        errno(Errno.EBUSY, () -> detach(p2, 0, 0));
        errno(Errno.EBUSY, () -> detach(null, 0, 0));          // implicit last is the link
        errno(Errno.EBUSY, () -> detach(null, AFTER, 0));
        detach(null, BEFORE | LINK, l2.fd);                    // the plain prog in front of the link
        assertEquals(List.of(p2), order());
        Mprog.Detached<Prog, Link> d = m.detach(p2, l2, 0, 0, 0, w);
        assertEquals(l2, d.link());
        assertEquals(0, m.count());
    }

    @Test
    void detachAllocatesNoEntry() throws MprogException {
        List<Prog> ps = fill(10);
        long before = MprogEntry.created();
        for (Prog p : ps) {
            detach(p, 0, 0);
        }
        assertEquals(before, MprogEntry.created());
        assertEquals(0, m.count());
    }

    @Test
    void queryFillsWhatFitsAndReportsTheRealTotal() throws MprogException {
        List<Prog> ps = fill(3);
        Prog lp = w.prog();
        Link l = w.link(lp);
        m.attach(lp, l, null, BEFORE, 0, 0, w);
        Mprog.Query full = m.query(10, p -> p.id, k -> k.id);
        assertNull(full.errno());
        assertEquals(4, full.count());
        assertEquals(5, full.revision());
        assertArrayEquals(new int[] {lp.id, ps.get(0).id, ps.get(1).id, ps.get(2).id}, full.progIds());
        assertArrayEquals(new int[] {l.id, 0, 0, 0}, full.linkIds());
        Mprog.Query part = m.query(2, p -> p.id, k -> k.id);
        assertEquals(Errno.ENOSPC, part.errno());
        assertEquals(4, part.count());
        assertArrayEquals(new int[] {lp.id, ps.get(0).id}, part.progIds());
        Mprog.Query none = m.query(0, p -> p.id, k -> k.id);
        assertNull(none.errno());
        assertEquals(4, none.count());
        assertEquals(0, none.progIds().length);
    }
    @Test
    void beforeTheFirstOrAfterTheLastClampsToTheRelativeItself() throws MprogException {
        // mprog computes position -1 / count and clamps it to the first / last slot (checked on 6.18)
        List<Prog> ps = fill(3);
        detach(null, BEFORE, ps.get(0).fd);
        assertEquals(ps.subList(1, 3), order());
        detach(null, AFTER, ps.get(2).fd);
        assertEquals(ps.subList(1, 2), order());
    }
}
