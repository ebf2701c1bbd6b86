package dev.tcxsim.tcx;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * bpf_mprog: the ordered program list of one hook, as kernel/bpf/mprog.c keeps it.
 *
 * <p>Layout (tcx-semantics.md 1.1): two preallocated fast-path entries {@code a} and {@code b}
 * (64 slots each, so 63 programs plus the null end marker), one shared control-path array
 * {@code cp} naming the owning link of each slot (null for a plain attachment), a revision that
 * starts at 1 and grows by one per successful change, and the program count.
 *
 * <p>Changes: an insert or delete copies the active entry into its peer, edits the peer,
 * publishes it with one volatile write and waits until no reader walks the old entry any more
 * (our RCU grace period); the old entry is then the spare. A replace is one atomic slot store
 * in the active entry. Nothing here allocates after construction, so detach cannot fail for
 * lack of memory.
 *
 * <p>Writers are serialized (the kernel holds RTNL; here every mutator is synchronized).
 * Readers use {@link #readBegin()} / {@link #readEnd(MprogEntry)} from any thread.
 *
 * @param <P> program object (compared by identity)
 * @param <L> link object (compared by identity)
 */
public final class Mprog<P, L> {
    /** BPF_MPROG_MAX: slots per entry. */
    public static final int SLOTS = 64;
    /** Programs per hook: one slot stays null as the end marker. */
    public static final int MAX_PROGS = SLOTS - 1;

    /** What a successful attach did. */
    public enum Kind { INSERT, REPLACE }

    /** A successful attach: where the program went and, for a replace, which program it displaced. */
    public record Attached<P>(Kind kind, int index, P replaced) {
    }

    /** A successful detach: the slot that went away. */
    public record Detached<P, L>(int index, P prog, L link) {
    }

    /** One slot as the control path sees it. */
    public record Slot<P, L>(P prog, L link) {
    }

    private final MprogEntry<P> a = new MprogEntry<>();
    private final MprogEntry<P> b = new MprogEntry<>();
    private final Object[] cp = new Object[SLOTS];
    private volatile MprogEntry<P> active = a;
    private long revision = 1;
    private int count;

    // ---- reader side (the datapath) ----

    /**
     * Starts walking the active entry; pair with {@link #readEnd}. The re-check after announcing
     * the reader closes the race with a writer that publishes in between: the writer either sees
     * this reader on the old entry and waits, or the reader sees the new entry and retries.
     */
    public MprogEntry<P> readBegin() {
        for (;;) {
            MprogEntry<P> e = active;
            e.readers.incrementAndGet();
            if (active == e) {
                return e;
            }
            e.readers.decrementAndGet();
        }
    }

    /** Ends a walk begun with {@link #readBegin()}. */
    public void readEnd(MprogEntry<P> entry) {
        entry.readers.decrementAndGet();
    }

    // ---- control path ----

    public synchronized long revision() {
        return revision;
    }

    public synchronized int count() {
        return count;
    }

    /** The attachments in execution order. */
    public synchronized List<Slot<P, L>> slots() {
        List<Slot<P, L>> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new Slot<>(active.fp.get(i), link(i)));
        }
        return out;
    }

    /** True when {@code prog} occupies any slot (link-owned or not). */
    public synchronized boolean contains(P prog) {
        return indexOf(prog) >= 0;
    }

    /**
     * bpf_mprog_attach followed by the commit. {@code link} is null for BPF_PROG_ATTACH;
     * {@code replaceOld} is the program named by replace_bpf_fd (only read with BPF_F_REPLACE).
     * The checks run in the kernel's order (tcx-semantics.md 2.3 step 9).
     */
    public synchronized Attached<P> attach(P prog, L link, P replaceOld, int flags, int relativeFdOrId,
                                           long expectedRevision, ObjectLookup<P, L> lookup) throws MprogException {
        if (expectedRevision != 0 && expectedRevision != revision) {
            throw new MprogException(Errno.ESTALE, "expected revision " + expectedRevision + " but the hook is at " + revision);
        }
        if (indexOf(prog) >= 0) {
            throw new MprogException(Errno.EEXIST, "the program is already attached at this hook");
        }
        boolean replace = (flags & MprogFlags.REPLACE) != 0;
        if (!replace && count >= MAX_PROGS) {
            throw new MprogException(Errno.ERANGE, "the hook already holds the maximum of " + MAX_PROGS + " programs");
        }
        Slot<P, L> rel = relative(relativeFdOrId, flags & ~MprogFlags.REPLACE, lookup.progType(prog), lookup);
        int idx = Integer.MIN_VALUE;
        if (replace) {
            idx = exact(replaceOld, link, "program to replace");
        }
        idx = positional(flags, rel, idx);
        if (idx == Integer.MIN_VALUE) {
            if (rel != null || flags != 0) {
                throw new MprogException(Errno.EINVAL, rel != null
                        ? "a relative object needs BPF_F_BEFORE, BPF_F_AFTER or BPF_F_REPLACE"
                        : "flags " + flags + " name no position (BEFORE/AFTER/REPLACE missing)");
            }
            idx = count;
            flags = MprogFlags.AFTER;
        }
        if (idx >= MAX_PROGS) {
            throw new MprogException(Errno.ERANGE, "position " + idx + " is past the last usable slot");
        }
        if (replace) {
            P old = active.fp.get(idx);
            cp[idx] = link;
            active.fp.set(idx, prog);
            revision++;
            return new Attached<>(Kind.REPLACE, idx, old);
        }
        int at = insert(prog, link, idx, flags);
        revision++;
        return new Attached<>(Kind.INSERT, at, null);
    }

    /**
     * bpf_mprog_detach followed by the commit. {@code prog} null means "no program given";
     * {@code link} is non-null only when a link removes its own slot.
     * The checks run in the kernel's order (tcx-semantics.md 3.1 step 4).
     */
    public synchronized Detached<P, L> detach(P prog, L link, int flags, int relativeFdOrId, long expectedRevision,
                                              ObjectLookup<P, L> lookup) throws MprogException {
        if ((flags & MprogFlags.REPLACE) != 0) {
            throw new MprogException(Errno.EINVAL, "BPF_F_REPLACE makes no sense for a detach");
        }
        if (expectedRevision != 0 && expectedRevision != revision) {
            throw new MprogException(Errno.ESTALE, "expected revision " + expectedRevision + " but the hook is at " + revision);
        }
        if (count == 0) {
            throw new MprogException(Errno.ENOENT, "no program is attached at this hook");
        }
        Slot<P, L> rel = relative(relativeFdOrId, flags, prog != null ? lookup.progType(prog) : 0, lookup);
        int idx = Integer.MIN_VALUE;
        if (prog != null) {
            idx = exact(prog, link, "program to detach");
        }
        idx = positional(flags, rel, idx);
        if (idx == Integer.MIN_VALUE) {
            if (rel != null || flags != 0) {
                throw new MprogException(Errno.EINVAL, rel != null
                        ? "a relative object needs BPF_F_BEFORE or BPF_F_AFTER"
                        : "flags " + flags + " name no position (BEFORE/AFTER missing)");
            }
            idx = count;
        }
        if (idx >= MAX_PROGS) {
            throw new MprogException(Errno.ERANGE, "position " + idx + " is past the last usable slot");
        }
        int at = idx == -1 ? 0 : idx == count ? count - 1 : idx;
        L owner = link(at);
        if (owner != null && link == null) {
            throw new MprogException(Errno.EBUSY, "slot " + at + " belongs to a link; only the link can remove it");
        }
        P removed = active.fp.get(at);
        delete(at);
        revision++;
        return new Detached<>(at, removed, owner);
    }

    /**
     * Removes every slot without a commit (device unregister: the hook is going away). Returns
     * what was attached, in order, so the caller can make links defunct and drop references.
     */
    public synchronized List<Slot<P, L>> clear() {
        List<Slot<P, L>> out = slots();
        MprogEntry<P> old = active;
        MprogEntry<P> peer = peer(old);
        for (int i = 0; i < SLOTS; i++) {
            peer.fp.set(i, null);
            cp[i] = null;
        }
        count = 0;
        publish(old, peer);
        return out;
    }

    /** bpf_mprog_query's result: ids in execution order; ENOSPC when the buffer was short. */
    public record Query(Errno errno, int count, long revision, int[] progIds, int[] linkIds) {
    }

    /**
     * bpf_mprog_query: count and revision always; the first min(bufferCount, count) ids when a
     * buffer is given; ENOSPC (not thrown) when it is too small.
     */
    public synchronized Query query(int bufferCount, ToIntFunction<P> progId, ToIntFunction<L> linkId) {
        if (bufferCount == 0 || count == 0) {
            return new Query(null, count, revision, new int[0], new int[0]);
        }
        int n = Math.min(bufferCount, count);
        int[] progs = new int[n];
        int[] links = new int[n];
        for (int i = 0; i < n; i++) {
            progs[i] = progId.applyAsInt(active.fp.get(i));
            L l = link(i);
            links[i] = l == null ? 0 : linkId.applyAsInt(l);
        }
        return new Query(bufferCount < count ? Errno.ENOSPC : null, count, revision, progs, links);
    }

    // ---- the steps ----

    /** bpf_mprog_tuple_relative: which object relative_fd/id names, asked in the kernel's order. */
    private Slot<P, L> relative(int fdOrId, int flags, int type, ObjectLookup<P, L> lookup) throws MprogException {
        boolean byId = (flags & MprogFlags.ID) != 0;
        if ((flags & MprogFlags.LINK) != 0) {
            L l;
            if (byId) {
                l = lookup.linkById(fdOrId);
            } else if (fdOrId != 0) {
                l = lookup.linkByFd(fdOrId);
            } else {
                throw new MprogException(Errno.EINVAL, "BPF_F_LINK without a relative link fd or id");
            }
            P p = lookup.progOfLink(l);
            if (type != 0 && lookup.progType(p) != type) {
                throw new MprogException(Errno.EINVAL, "the relative link's program has another program type");
            }
            return new Slot<>(p, l);
        }
        if (!byId && fdOrId == 0) {
            return null;
        }
        P p = byId ? lookup.progById(fdOrId) : lookup.progByFd(fdOrId);
        if (type != 0 && lookup.progType(p) != type) {
            throw new MprogException(Errno.EINVAL, "the relative program has another program type");
        }
        return new Slot<>(p, null);
    }

    /** BEFORE and AFTER each compute a position; every rule given must agree with {@code idx}. */
    private int positional(int flags, Slot<P, L> rel, int idx) throws MprogException {
        if ((flags & MprogFlags.BEFORE) != 0) {
            int t = before(rel);
            if (idx != Integer.MIN_VALUE && t != idx) {
                throw new MprogException(Errno.ERANGE, "BPF_F_BEFORE points at position " + t + ", another rule at " + idx);
            }
            idx = t;
        }
        if ((flags & MprogFlags.AFTER) != 0) {
            int t = after(rel);
            if (idx != Integer.MIN_VALUE && t != idx) {
                throw new MprogException(Errno.ERANGE, "BPF_F_AFTER points at position " + t + ", another rule at " + idx);
            }
            idx = t;
        }
        return idx;
    }

    /** bpf_mprog_pos_exact: the slot holding {@code prog}, which must be owned by {@code link} (null = plain). */
    private int exact(P prog, L link, String what) throws MprogException {
        int i = indexOf(prog);
        if (i < 0) {
            throw new MprogException(Errno.ENOENT, "the " + what + " is not attached at this hook");
        }
        if (link(i) != link) {
            throw new MprogException(Errno.EBUSY, "the " + what + " sits in slot " + i + (link(i) != null
                    ? ", which a link owns" : ", which is not owned by this link"));
        }
        return i;
    }

    /** bpf_mprog_pos_before: one in front of the relative object; -1 (prepend) without one. */
    private int before(Slot<P, L> rel) throws MprogException {
        if (rel == null) {
            return -1;
        }
        return matching(rel, "BPF_F_BEFORE") - 1;
    }

    /** bpf_mprog_pos_after: one behind the relative object; count (append) without one. */
    private int after(Slot<P, L> rel) throws MprogException {
        if (rel == null) {
            return count;
        }
        return matching(rel, "BPF_F_AFTER") + 1;
    }

    private int matching(Slot<P, L> rel, String rule) throws MprogException {
        for (int i = 0; i < count; i++) {
            if (active.fp.get(i) == rel.prog() && (rel.link() == null || rel.link() == link(i))) {
                return i;
            }
        }
        throw new MprogException(Errno.ENOENT, "the object relative to " + rule + " is not attached at this hook");
    }

    /** bpf_mprog_insert: copy into the peer, open the gap, publish. Returns the new program's index. */
    private int insert(P prog, L link, int idx, int flags) {
        MprogEntry<P> old = active;
        MprogEntry<P> peer = peer(old);
        copy(old, peer);
        if (idx != count && (flags & MprogFlags.BEFORE) != 0) {
            idx++;
        }
        for (int i = count; i > idx; i--) {
            peer.fp.setPlain(i, peer.fp.getPlain(i - 1));
            cp[i] = cp[i - 1];
        }
        peer.fp.setPlain(idx, prog);
        cp[idx] = link;
        count++;
        publish(old, peer);
        return idx;
    }

    /** bpf_mprog_delete: copy into the peer, close the gap, publish. */
    private void delete(int idx) {
        MprogEntry<P> old = active;
        MprogEntry<P> peer = peer(old);
        copy(old, peer);
        for (int i = idx; i < count; i++) {
            peer.fp.setPlain(i, peer.fp.getPlain(i + 1));
            cp[i] = cp[i + 1];
        }
        count--;
        publish(old, peer);
    }

    /**
     * Fills the peer with plain stores: no reader walks the peer (the last publish waited until the
     * readers of what is now the peer were gone, and a reader that finds the peer active re-checks
     * before walking), and the volatile write in {@link #publish} makes every store visible at once.
     * Volatile stores here would cost a fence per slot, twice per attach on a full chain.
     */
    private static <P> void copy(MprogEntry<P> from, MprogEntry<P> to) {
        for (int i = 0; i < SLOTS; i++) {
            to.fp.setPlain(i, from.fp.getPlain(i));
        }
    }

    /** One volatile write publishes the peer; then wait until no reader still walks the old entry. */
    private void publish(MprogEntry<P> old, MprogEntry<P> peer) {
        active = peer;
        while (old.readers.get() != 0) {
            Thread.onSpinWait();
        }
    }

    private MprogEntry<P> peer(MprogEntry<P> e) {
        return e == a ? b : a;
    }

    private int indexOf(P prog) {
        for (int i = 0; i < count; i++) {
            if (active.fp.get(i) == prog) {
                return i;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private L link(int i) {
        return (L) cp[i];
    }
}
