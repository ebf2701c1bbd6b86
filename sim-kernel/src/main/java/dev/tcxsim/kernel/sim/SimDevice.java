package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.tcx.TcxHook;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A network device: its tcx hooks, its clsact filters, addresses and taps. */
final class SimDevice {
    final int ifindex;
    final String name;
    final String kind;
    volatile SimDevice peer;
    final List<int[]> addresses = new CopyOnWriteArrayList<>();   // {ip, prefix}
    final TcxHook<SimProg, SimLink> ingress = new TcxHook<>();
    final TcxHook<SimProg, SimLink> egress = new TcxHook<>();
    volatile boolean clsact;
    /** Per direction (0 ingress, 1 egress): the fused chain of the programs last seen attached (Datapath's cache). */
    final ChainCache[] chains = {new ChainCache(), new ChainCache()};

    /** The programs a hook's entry held when its chain was built, and that chain. */
    static final class ChainCache {
        volatile Object[] built; // {SimProg[] programs, ProgramChain chain}
    }
    /** Classic filters per direction, replaced whole on every change so the datapath reads a stable list. */
    volatile List<ClassicFilter> ingressFilters = List.of();
    volatile List<ClassicFilter> egressFilters = List.of();
    final List<SimTap> taps = new CopyOnWriteArrayList<>();
    volatile boolean gone;

    SimDevice(int ifindex, String name, String kind) {
        this.ifindex = ifindex;
        this.name = name;
        this.kind = kind;
    }

    TcxHook<SimProg, SimLink> hook(TcDirection dir) {
        return dir == TcDirection.INGRESS ? ingress : egress;
    }

    List<ClassicFilter> filters(TcDirection dir) {
        return dir == TcDirection.INGRESS ? ingressFilters : egressFilters;
    }

    void filters(TcDirection dir, List<ClassicFilter> list) {
        List<ClassicFilter> copy = List.copyOf(list);
        if (dir == TcDirection.INGRESS) {
            ingressFilters = copy;
        } else {
            egressFilters = copy;
        }
    }

    List<String> addressStrings() {
        List<String> out = new ArrayList<>();
        for (int[] a : addresses) {
            out.add(Ipv4.format(a[0]) + "/" + a[1]);
        }
        return out;
    }

    boolean hasAddress(int ip) {
        for (int[] a : addresses) {
            if (a[0] == ip) {
                return true;
            }
        }
        return false;
    }

    /** One cls_bpf filter: prio, handle, program (swapped in place by a replace), direct-action, classid. */
    static final class ClassicFilter {
        final int prio;
        final int handle;
        final boolean da;
        final int classid;
        volatile SimProg prog;

        ClassicFilter(int prio, int handle, SimProg prog, boolean da, int classid) {
            this.prio = prio;
            this.handle = handle;
            this.prog = prog;
            this.da = da;
            this.classid = classid;
        }
    }
}
