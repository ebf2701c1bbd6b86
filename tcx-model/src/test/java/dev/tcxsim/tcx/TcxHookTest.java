package dev.tcxsim.tcx;

import dev.tcxsim.tcx.World.Link;
import dev.tcxsim.tcx.World.Prog;
import org.junit.jupiter.api.Test;

import static dev.tcxsim.tcx.MprogAttachTest.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The tcx_entry life cycle around the bundle (sections 1.2, 1.3, 3.3, 7). */
class TcxHookTest {
    final World w = new World();
    final TcxHook<Prog, Link> hook = new TcxHook<>();

    @Test
    void noEntryQueriesAsRevisionOneAndDetachIsEnoent() {
        assertNull(hook.entry());
        Mprog.Query q = hook.query(8, p -> p.id, l -> l.id);
        assertEquals(0, q.count());
        assertEquals(1, q.revision());
        errno(Errno.ENOENT, () -> hook.detach(null, null, 0, 0, 0, w));
    }

    @Test
    void entryIsFreedWhenEmptySoRevisionRestarts() throws MprogException {
        Prog p = w.prog();
        hook.attach(p, null, null, 0, 0, 0, w);
        assertEquals(2, hook.revision());
        hook.detach(p, null, 0, 0, 0, w);
        assertNull(hook.entry());
        assertEquals(1, hook.revision());
        hook.attach(p, null, null, 0, 0, 0, w);
        assertEquals(2, hook.revision());
    }

    @Test
    void failedFirstAttachLeavesNoEntry() {
        Prog p = w.prog();
        errno(Errno.ENOENT, () -> hook.attach(p, null, null, MprogFlags.BEFORE, w.prog().fd, 0, w));
        assertNull(hook.entry());
    }

    @Test
    void clsactKeepsTheEntryAndTheRevisionKeepsCounting() throws MprogException {
        hook.miniqAttach();
        assertNotNull(hook.entry());
        errno(Errno.ENOENT, () -> hook.detach(null, null, 0, 0, 0, w));   // empty but alive
        Prog p = w.prog();
        hook.attach(p, null, null, 0, 0, 0, w);
        hook.detach(p, null, 0, 0, 0, w);
        assertNotNull(hook.entry());
        assertEquals(3, hook.revision());
        hook.attach(p, null, null, 0, 0, 0, w);
        hook.miniqDetach();                                                  // programs remain
        assertEquals(4, hook.revision());
        hook.detach(p, null, 0, 0, 0, w);
        assertNull(hook.entry());
    }

    @Test
    void linkUpdateReplacesInPlaceAndRefusesDuplicates() throws MprogException {
        Prog a = w.prog(), b = w.prog(), c = w.prog(), plain = w.prog();
        Link l = w.link(a);
        hook.attach(plain, null, null, 0, 0, 0, w);
        hook.attach(a, l, null, 0, 0, 0, w);
        errno(Errno.EEXIST, () -> hook.update(plain, l, a, w));
        Mprog.Attached<Prog> r = hook.update(b, l, a, w);
        assertEquals(Mprog.Kind.REPLACE, r.kind());
        assertEquals(1, r.index());
        assertEquals(a, r.replaced());
        assertEquals(b, hook.entry().bundle().slots().get(1).prog());
        assertEquals(l, hook.entry().bundle().slots().get(1).link());
        Link other = w.link(plain);
        errno(Errno.EBUSY, () -> hook.update(c, other, plain, w));            // plain slot is not that link's
    }

    @Test
    void unregisterHandsBackEverySlotWithoutCommit() throws MprogException {
        Prog a = w.prog(), b = w.prog();
        Link l = w.link(b);
        hook.attach(a, null, null, 0, 0, 0, w);
        hook.attach(b, l, null, 0, 0, 0, w);
        var slots = hook.unregister();
        assertEquals(2, slots.size());
        assertEquals(l, slots.get(1).link());
        assertNull(hook.entry());
    }
}
