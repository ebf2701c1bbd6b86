package dev.tcxsim.tcx;

/**
 * tcx_entry: what a device's ingress or egress pointer refers to while the hook is in use —
 * the mprog bundle plus {@code miniqActive}, set while a clsact (or ingress) qdisc uses this
 * direction for classic tc. Created by the first attach or by the qdisc, freed when both the
 * programs and the qdisc are gone (then a later attach starts again at revision 1).
 *
 * @param <P> program object
 * @param <L> link object
 */
public final class TcxEntry<P, L> {
    private final Mprog<P, L> bundle = new Mprog<>();
    private volatile boolean miniqActive;

    TcxEntry() {
    }

    public Mprog<P, L> bundle() {
        return bundle;
    }

    /** True while a clsact qdisc runs classic tc through this entry. */
    public boolean miniqActive() {
        return miniqActive;
    }

    void miniqActive(boolean on) {
        miniqActive = on;
    }

    /** tcx_entry_is_active: programs attached, or classic tc still using the entry. */
    boolean isActive() {
        return bundle.count() > 0 || miniqActive;
    }
}
