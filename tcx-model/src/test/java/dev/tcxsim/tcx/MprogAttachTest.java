package dev.tcxsim.tcx;

import dev.tcxsim.tcx.World.Link;
import dev.tcxsim.tcx.World.Prog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;

import static dev.tcxsim.tcx.MprogFlags.AFTER;
import static dev.tcxsim.tcx.MprogFlags.BEFORE;
import static dev.tcxsim.tcx.MprogFlags.ID;
import static dev.tcxsim.tcx.MprogFlags.LINK;
import static dev.tcxsim.tcx.MprogFlags.REPLACE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Attach rules and errnos of tcx-semantics.md section 2, against the model. */
class MprogAttachTest {
    final World w = new World();
    final Mprog<Prog, Link> m = new Mprog<>();

    void attach(Prog p) throws MprogException {
        m.attach(p, null, null, 0, 0, 0, w);
    }

    void attach(Prog p, int flags, int rel) throws MprogException {
        m.attach(p, null, null, flags, rel, 0, w);
    }

    List<Prog> order() {
        List<Prog> out = new ArrayList<>();
        for (Mprog.Slot<Prog, Link> s : m.slots()) {
            out.add(s.prog());
        }
        return out;
    }

    static void errno(Errno expected, Executable call) {
        MprogException e = assertThrows(MprogException.class, call);
        assertEquals(expected, e.errno(), e.getMessage());
    }

    List<Prog> fill(int n) throws MprogException {
        List<Prog> ps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Prog p = w.prog();
            attach(p);
            ps.add(p);
        }
        return ps;
    }

    @Test
    void plainAttachAppendsAndEachSuccessCountsOneRevision() throws MprogException {
        assertEquals(1, m.revision());
        List<Prog> ps = fill(3);
        assertEquals(ps, order());
        assertEquals(4, m.revision());
        assertEquals(3, m.count());
    }

    @Test
    void beforeAndAfterWithAndWithoutRelative() throws MprogException {
        Prog p1 = w.prog(), p2 = w.prog(), p3 = w.prog(), p4 = w.prog(), p5 = w.prog();
        attach(p1);
        attach(p2, BEFORE, 0);             // prepend
        attach(p3, AFTER, 0);              // append
        assertEquals(List.of(p2, p1, p3), order());
        attach(p4, BEFORE, p1.fd);         // directly in front of p1
        attach(p5, AFTER | ID, p2.id);     // directly behind p2, by id
        assertEquals(List.of(p2, p5, p4, p1, p3), order());
    }

    @Test
    void relativeLinkMustOwnTheSlot() throws MprogException {
        Prog p1 = w.prog(), p2 = w.prog(), p3 = w.prog();
        Link l1 = w.link(p1);
        m.attach(p1, l1, null, 0, 0, 0, w);
        attach(p2, BEFORE | LINK, l1.fd);
        attach(p3, AFTER | LINK | ID, l1.id);
        assertEquals(List.of(p2, p1, p3), order());
        Link other = w.link(p2);           // a link object that does not own p2's slot
        errno(Errno.ENOENT, () -> attach(w.prog(), AFTER | LINK, other.fd));
    }

    @Test
    void errnoOrderStaleBeforeExistsBeforeCapacityBeforeRelative() throws MprogException {
        List<Prog> ps = fill(Mprog.MAX_PROGS);
        long rev = m.revision();
        Prog dup = ps.get(5);
        errno(Errno.ESTALE, () -> m.attach(dup, null, null, 0, 0, rev + 1, w));
        errno(Errno.EEXIST, () -> m.attach(dup, null, null, 0, 0, rev, w));
        Prog fresh = w.prog();
        Prog unattached = w.prog();
        errno(Errno.ERANGE, () -> attach(fresh));
        errno(Errno.ERANGE, () -> attach(fresh, BEFORE, 0));
        errno(Errno.ERANGE, () -> attach(fresh, AFTER, ps.getLast().fd));
        errno(Errno.ERANGE, () -> attach(fresh, BEFORE, ps.getFirst().fd));
        errno(Errno.ERANGE, () -> attach(fresh, BEFORE, unattached.fd)); // capacity wins over ENOENT
        errno(Errno.ERANGE, () -> m.attach(fresh, w.link(fresh), null, 0, 0, 0, w));
        assertEquals(rev, m.revision());
        m.attach(fresh, null, ps.get(7), REPLACE, 0, 0, w);               // replace at capacity is fine
        assertEquals(fresh, order().get(7));
        assertEquals(Mprog.MAX_PROGS, m.count());
        assertEquals(rev + 1, m.revision());
    }

    @Test
    void relativeObjectErrnos() throws MprogException {
        Prog p1 = w.prog();
        attach(p1);
        Prog n = w.prog();
        errno(Errno.ENOENT, () -> attach(n, BEFORE | ID, 0));
        errno(Errno.ENOENT, () -> attach(n, BEFORE | ID, 9999));
        errno(Errno.EBADF, () -> attach(n, BEFORE, 777));
        errno(Errno.EINVAL, () -> attach(n, BEFORE, w.link(p1).fd));         // a link fd is not a program fd
        errno(Errno.EINVAL, () -> attach(n, BEFORE | LINK, 0));
        errno(Errno.EINVAL, () -> attach(n, BEFORE | LINK, p1.fd));          // a prog fd is not a link
        errno(Errno.ENOENT, () -> attach(n, BEFORE, w.prog().fd));           // R not attached
        errno(Errno.EINVAL, () -> attach(n, BEFORE, w.prog(4).fd));          // R of another type
        errno(Errno.ERANGE, () -> attach(n, BEFORE | AFTER, 0));
        errno(Errno.ERANGE, () -> attach(n, BEFORE | AFTER, p1.fd));
        errno(Errno.EINVAL, () -> attach(n, 0, p1.fd));                     // R without a position
        errno(Errno.EINVAL, () -> attach(n, LINK, 0));
        errno(Errno.ENOENT, () -> attach(n, ID, 0));                        // the id lookup fails first
        errno(Errno.EINVAL, () -> attach(n, ID, p1.id));                    // resolved, but no position
        assertEquals(2, m.revision());
    }

    @Test
    void replaceRules() throws MprogException {
        Prog p1 = w.prog(), p2 = w.prog(), p3 = w.prog();
        attach(p1);
        attach(p2);
        attach(p3);
        Prog n = w.prog();
        errno(Errno.ENOENT, () -> m.attach(n, null, w.prog(), REPLACE, 0, 0, w));
        errno(Errno.ERANGE, () -> m.attach(n, null, p1, REPLACE | BEFORE, p3.fd, 0, w));
        errno(Errno.ERANGE, () -> m.attach(n, null, p2, REPLACE | BEFORE, 0, 0, w));  // old is not first
        errno(Errno.ERANGE, () -> m.attach(n, null, p2, REPLACE | AFTER, 0, 0, w));   // old is not last
        errno(Errno.ERANGE, () -> m.attach(n, null, p1, REPLACE | AFTER, p2.fd, 0, w));
        long rev = m.revision();
        Mprog.Attached<Prog> r = m.attach(n, null, p2, REPLACE | BEFORE, p3.fd, 0, w);
        assertEquals(Mprog.Kind.REPLACE, r.kind());
        assertEquals(p2, r.replaced());
        assertEquals(List.of(p1, n, p3), order());
        assertEquals(rev + 1, m.revision());
        // Without a relative object BEFORE means position -1 and AFTER means position count,
        // neither of which is a slot, so REPLACE never agrees with them (mprog.c pos_before/after;
        // tcx-semantics.md 2.2 says "only if old is first/last": the kernel code says ERANGE always).
        Prog n2 = w.prog();
        errno(Errno.ERANGE, () -> m.attach(n2, null, p1, REPLACE | BEFORE, 0, 0, w));
        errno(Errno.ERANGE, () -> m.attach(n2, null, p3, REPLACE | AFTER, 0, 0, w));
        Prog n3 = w.prog();
        m.attach(n3, null, p3, REPLACE | AFTER, n.fd, 0, w);
        assertEquals(List.of(p1, n, n3), order());
    }

    @Test
    void plainReplaceOfALinkSlotIsBusy() throws MprogException {
        Prog p1 = w.prog();
        Link l1 = w.link(p1);
        m.attach(p1, l1, null, 0, 0, 0, w);
        errno(Errno.EBUSY, () -> m.attach(w.prog(), null, p1, REPLACE, 0, 0, w));
    }

    @Test
    void duplicateAcrossLinkAndPlainIsEexist() throws MprogException {
        Prog p1 = w.prog(), p2 = w.prog();
        attach(p1);
        errno(Errno.EEXIST, () -> m.attach(p1, w.link(p1), null, 0, 0, 0, w));
        m.attach(p2, w.link(p2), null, 0, 0, 0, w);
        errno(Errno.EEXIST, () -> attach(p2));
        errno(Errno.EEXIST, () -> attach(p2, BEFORE, 0));
    }

    @Test
    void linkCreateWithReplaceFindsNoOldProgram() throws MprogException {
        attach(w.prog());
        Prog p = w.prog();
        errno(Errno.ENOENT, () -> m.attach(p, w.link(p), null, REPLACE, 0, 0, w));
    }
}
