package dev.tcxsim.tcx;

import java.util.List;
import java.util.function.ToIntFunction;

/**
 * One direction of one device: the pointer the kernel keeps in {@code net_device}
 * (tcx_ingress / tcx_egress) and the tcx.c operations on it. It creates the {@link TcxEntry}
 * on first use and drops it when it is no longer active, as tcx_prog_attach/detach,
 * tcx_link_* and the clsact qdisc do.
 *
 * <p>Readers (packets) call {@link #entry()} and then walk the bundle; the pointer is volatile
 * so a reader sees either no entry or a whole one. Mutators are serialized (RTNL).
 *
 * @param <P> program object
 * @param <L> link object
 */
public final class TcxHook<P, L> {
    private volatile TcxEntry<P, L> entry;

    /** The published entry, or null when the hook is unused (the datapath then skips it). */
    public TcxEntry<P, L> entry() {
        return entry;
    }

    /** The hook's revision; 1 when there is no entry (as BPF_PROG_QUERY reports it). */
    public synchronized long revision() {
        TcxEntry<P, L> e = entry;
        return e == null ? 1 : e.bundle().revision();
    }

    /** tcx_prog_attach / tcx_link_prog_attach: fetch or create the entry, attach, drop a fresh entry on failure. */
    public synchronized Mprog.Attached<P> attach(P prog, L link, P replaceOld, int flags, int relativeFdOrId,
                                                 long expectedRevision, ObjectLookup<P, L> lookup) throws MprogException {
        TcxEntry<P, L> e = entry;
        boolean created = e == null;
        if (created) {
            e = new TcxEntry<>();
        }
        Mprog.Attached<P> done = e.bundle().attach(prog, link, replaceOld, flags, relativeFdOrId, expectedRevision, lookup);
        if (created) {
            entry = e;
        }
        return done;
    }

    /** tcx_prog_detach / tcx_link_release: ENOENT without an entry; the entry goes when it is no longer active. */
    public synchronized Mprog.Detached<P, L> detach(P prog, L link, int flags, int relativeFdOrId, long expectedRevision,
                                                    ObjectLookup<P, L> lookup) throws MprogException {
        TcxEntry<P, L> e = entry;
        if (e == null) {
            throw new MprogException(Errno.ENOENT, "no tcx entry at this hook (nothing was ever attached)");
        }
        Mprog.Detached<P, L> done = e.bundle().detach(prog, link, flags, relativeFdOrId, expectedRevision, lookup);
        if (!e.isActive()) {
            entry = null;
        }
        return done;
    }

    /** tcx_link_update: REPLACE of the link's own slot, relative to its own program. */
    public synchronized Mprog.Attached<P> update(P newProg, L link, P oldProg, ObjectLookup<P, L> lookup)
            throws MprogException {
        TcxEntry<P, L> e = entry;
        if (e == null) {
            throw new MprogException(Errno.ENOENT, "no tcx entry at this hook");
        }
        ObjectLookup<P, L> self = new ObjectLookup<>() {
            @Override
            public P progById(int id) {
                return oldProg;
            }

            @Override
            public P progByFd(int fd) {
                return oldProg;
            }

            @Override
            public L linkById(int id) {
                return link;
            }

            @Override
            public L linkByFd(int fd) {
                return link;
            }

            @Override
            public P progOfLink(L l) {
                return oldProg;
            }

            @Override
            public int progType(P p) {
                return lookup.progType(p);
            }
        };
        return e.bundle().attach(newProg, link, oldProg, MprogFlags.REPLACE | MprogFlags.ID, 1, 0, self);
    }

    /** BPF_PROG_QUERY: without an entry, count 0 and revision 1. */
    public synchronized Mprog.Query query(int bufferCount, ToIntFunction<P> progId, ToIntFunction<L> linkId) {
        TcxEntry<P, L> e = entry;
        if (e == null) {
            return new Mprog.Query(null, 0, 1, new int[0], new int[0]);
        }
        return e.bundle().query(bufferCount, progId, linkId);
    }

    /** A clsact qdisc starts using this direction: the entry is created if needed and kept alive. */
    public synchronized void miniqAttach() {
        TcxEntry<P, L> e = entry;
        if (e == null) {
            e = new TcxEntry<>();
        }
        e.miniqActive(true);
        entry = e;
    }

    /** The clsact qdisc is gone: the entry goes too when no program remains. */
    public synchronized void miniqDetach() {
        TcxEntry<P, L> e = entry;
        if (e == null) {
            return;
        }
        e.miniqActive(false);
        if (!e.isActive()) {
            entry = null;
        }
    }

    /** Device unregister: unpublish, then hand back every attachment (no commit). */
    public synchronized List<Mprog.Slot<P, L>> unregister() {
        TcxEntry<P, L> e = entry;
        if (e == null) {
            return List.of();
        }
        entry = null;
        return e.bundle().clear();
    }
}
