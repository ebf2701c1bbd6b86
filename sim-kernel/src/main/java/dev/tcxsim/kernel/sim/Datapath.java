package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.tcx.Mprog;
import dev.tcxsim.tcx.MprogEntry;
import dev.tcxsim.tcx.TcxEntry;
import dev.tcxsim.tcx.TcxVerdict;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.ProgramChain;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.maps.BpfMap;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A packet's way through the simulated kernel (tcx-semantics.md sections 6 and 7): the egress
 * hook of the sending device, the wire (a veth peer, loopback, or nowhere for a dummy), the
 * ingress hook of the receiving device, then local delivery, a drop or a redirect.
 *
 * <p>At each hook the tcx programs run first, in the order of the published entry; the first
 * return value other than TCX_NEXT ends the walk. When the walk ends in NEXT (or an unknown
 * code) and a clsact qdisc is present, the classic cls_bpf filters run in prio order.
 */
final class Datapath {
    /** The kernel's XMIT_RECURSION_LIMIT: redirects nested deeper are dropped. */
    static final int RECURSION_LIMIT = 8;

    // TC_ACT_* as classic tc reports them
    static final int TC_ACT_UNSPEC = -1;
    static final int TC_ACT_OK = 0;
    static final int TC_ACT_RECLASSIFY = 1;
    static final int TC_ACT_SHOT = 2;
    static final int TC_ACT_STOLEN = 4;
    static final int TC_ACT_QUEUED = 5;
    static final int TC_ACT_REDIRECT = 7;
    static final int TC_ACT_TRAP = 8;

    private final SimKernel kernel;

    Datapath(SimKernel kernel) {
        this.kernel = kernel;
    }

    /** What one hook decided, plus a pending redirect if the verdict is REDIRECT. */
    private record HookResult(int code, RunResult.Redirect redirect) {
    }

    /**
     * Sends a frame out of {@code dev}. Returns false when the sending device's own egress hook
     * dropped it (dev_queue_xmit's NET_XMIT_DROP, which AF_PACKET's sendto reports as ENOBUFS);
     * what happens after the frame left the device (the peer's ingress, redirects) is not reported.
     */
    boolean transmit(SimDevice dev, byte[] frame, Trace trace) {
        return xmit(dev, new SkBuff(frame), trace, 0);
    }

    /** dev_queue_xmit: egress hook, then the device's transmit. False for NET_XMIT_DROP. */
    private boolean xmit(SimDevice dev, SkBuff skb, Trace trace, int depth) {
        if (depth > RECURSION_LIMIT) {
            trace.add(TraceEvent.step(TraceEvent.Kind.DROP, dev.name, "", "dropped", 0, "XMIT_RECURSION (more than "
                    + RECURSION_LIMIT + " nested transmits)"));
            return false;
        }
        trace.add(TraceEvent.step(TraceEvent.Kind.TRANSMIT, dev.name, "", "", 0, ""));
        skb.setIfindex(dev.ifindex);
        skb.setIngressIfindex(0);
        skb.setTcAtIngress(false);
        HookResult r = runHook(dev, TcDirection.EGRESS, skb, trace);
        if (!afterHook(dev, TcDirection.EGRESS, skb, r, trace, depth)) {
            return r.code() != TC_ACT_SHOT;
        }
        switch (dev.kind) {
            case "veth" -> {
                SimDevice peer = dev.peer;
                if (peer == null || peer.gone) {
                    trace.add(TraceEvent.step(TraceEvent.Kind.DROP, dev.name, "", "dropped", 0, "veth peer gone"));
                    return true;
                }
                receive(peer, new SkBuff(skb.data()), trace, depth);
            }
            case "loopback" -> receive(dev, new SkBuff(skb.data()), trace, depth);
            default -> trace.add(TraceEvent.step(TraceEvent.Kind.LEAVE, dev.name, "", "sent", 0,
                    dev.kind + " device: the frame leaves the simulation"));
        }
        return true;
    }

    /** __netif_receive_skb: taps, ingress hook, then the local stack. */
    private void receive(SimDevice dev, SkBuff skb, Trace trace, int depth) {
        byte[] frame = skb.data();
        trace.add(TraceEvent.step(TraceEvent.Kind.RECEIVE, dev.name, "", "", 0, ""));
        for (SimTap t : dev.taps) {
            t.capture(frame);
        }
        skb.setIfindex(dev.ifindex);
        skb.setIngressIfindex(dev.ifindex);
        skb.setTcAtIngress(true);
        boolean broadcast = frame.length >= 6 && (frame[0] & 1) != 0;
        skb.setPktType(broadcast ? 1 : SkBuff.PACKET_HOST);
        HookResult r = runHook(dev, TcDirection.INGRESS, skb, trace);
        if (!afterHook(dev, TcDirection.INGRESS, skb, r, trace, depth)) {
            return;
        }
        deliver(dev, skb, trace);
    }

    /** The verdict switch after a hook; true when the packet continues on its way. */
    private boolean afterHook(SimDevice dev, TcDirection dir, SkBuff skb, HookResult r, Trace trace, int depth) {
        String hook = hookName(dir);
        switch (r.code()) {
            case TC_ACT_SHOT -> {
                trace.add(TraceEvent.step(TraceEvent.Kind.DROP, dev.name, hook, "dropped", 0,
                        dir == TcDirection.INGRESS ? "TC_INGRESS" : "TC_EGRESS"));
                return false;
            }
            case TC_ACT_STOLEN, TC_ACT_QUEUED, TC_ACT_TRAP -> {
                trace.add(TraceEvent.step(TraceEvent.Kind.CONSUME, dev.name, hook, "consumed", 0, actName(r.code())));
                return false;
            }
            case TC_ACT_REDIRECT -> {
                redirect(dev, dir, skb, r.redirect(), trace, depth);
                return false;
            }
            default -> {
                return true;
            }
        }
    }

    /** skb_do_redirect. */
    private void redirect(SimDevice from, TcDirection dir, SkBuff skb, RunResult.Redirect rd, Trace trace, int depth) {
        String hook = hookName(dir);
        int target = rd == null ? 0 : rd.ifindex();
        SimDevice to = target == 0 ? null : kernel.deviceByIndex(target);
        if (to == null) {
            trace.add(TraceEvent.step(TraceEvent.Kind.DROP, from.name, hook, "dropped", target,
                    rd == null ? "redirect verdict without a redirect helper call" : "redirect target ifindex " + target + " not found"));
            return;
        }
        SkBuff out = copyForRedirect(skb);
        switch (rd.kind()) {
            case PEER -> {
                // redirect_peer needs ingress and a veth whose peer lives in another namespace;
                // a session is one namespace, so the peer is always in this one.
                String why = dir != TcDirection.INGRESS ? "bpf_redirect_peer is only valid at tc ingress"
                        : !"veth".equals(to.kind) ? "bpf_redirect_peer target is not a veth device"
                        : "bpf_redirect_peer target's peer is in the same network namespace";
                trace.add(TraceEvent.step(TraceEvent.Kind.DROP, from.name, hook, "dropped", target, why));
            }
            case NEIGH -> {
                trace.add(TraceEvent.step(TraceEvent.Kind.REDIRECT, from.name, hook, "redirect_neigh (xmit)", target, ""));
                xmit(to, out, trace, depth + 1);
            }
            case REDIRECT -> {
                if ((rd.flags() & 1) != 0) {
                    trace.add(TraceEvent.step(TraceEvent.Kind.REDIRECT, from.name, hook, "redirect to ingress", target, ""));
                    if (depth + 1 > RECURSION_LIMIT) {
                        trace.add(TraceEvent.step(TraceEvent.Kind.DROP, to.name, "", "dropped", 0, "XMIT_RECURSION"));
                        return;
                    }
                    receive(to, out, trace, depth + 1);
                } else {
                    trace.add(TraceEvent.step(TraceEvent.Kind.REDIRECT, from.name, hook, "redirect to egress", target, ""));
                    xmit(to, out, trace, depth + 1);
                }
            }
        }
    }

    /** The skb keeps its bytes and the fields programs may set (mark, priority, cb is qdisc-private and reset). */
    private static SkBuff copyForRedirect(SkBuff skb) {
        SkBuff out = new SkBuff(skb.data());
        out.setMark(skb.mark());
        out.setPriority(skb.priority());
        out.setTcIndex(skb.tcIndex());
        return out;
    }

    /** ip_local_deliver → udp: the datagram goes to a bound socket if its destination is local. */
    private void deliver(SimDevice dev, SkBuff skb, Trace trace) {
        Ipv4.Udp udp = Ipv4.Udp.parse(skb.data());
        if (udp == null) {
            trace.add(TraceEvent.step(TraceEvent.Kind.LEAVE, dev.name, "", "passed up", 0, "not an IPv4/UDP frame: no socket to deliver to"));
            return;
        }
        if (udp.dstIp() >>> 24 == 127 || udp.srcIp() >>> 24 == 127) {
            // a frame from the wire (AF_PACKET included) has no route attached yet; with
            // route_localnet off, 127/8 on either side is a martian and ip_route_input drops it
            trace.add(TraceEvent.step(TraceEvent.Kind.DROP, dev.name, "", "dropped", 0,
                    "IP_INADDRERRORS: martian " + (udp.dstIp() >>> 24 == 127 ? "destination " + Ipv4.format(udp.dstIp())
                            : "source " + Ipv4.format(udp.srcIp())) + " (loopback address from the wire)"));
            return;
        }
        if (!kernel.isLocal(udp.dstIp())) {
            trace.add(TraceEvent.step(TraceEvent.Kind.DROP, dev.name, "", "dropped", 0,
                    "IP_NOT_LOCAL: " + Ipv4.format(udp.dstIp()) + " is not an address of this namespace (no forwarding)"));
            return;
        }
        for (SimUdpSocket s : kernel.sockets) {
            if (s.port == udp.dstPort() && (s.ip == 0 || s.ip == udp.dstIp())) {
                s.deliver(udp.payload());
                trace.add(TraceEvent.step(TraceEvent.Kind.DELIVER, dev.name, "", "delivered", 0,
                        "udp " + Ipv4.format(udp.dstIp()) + ":" + udp.dstPort()));
                return;
            }
        }
        trace.add(TraceEvent.step(TraceEvent.Kind.DROP, dev.name, "", "dropped", 0,
                "NO_SOCKET: nothing bound to udp " + Ipv4.format(udp.dstIp()) + ":" + udp.dstPort()));
    }

    // ---- one hook ----

    private HookResult runHook(SimDevice dev, TcDirection dir, SkBuff skb, Trace trace) {
        TcxEntry<SimProg, SimLink> entry = dev.hook(dir).entry();
        if (entry == null) {
            return new HookResult(TC_ACT_OK, null);
        }
        String hook = hookName(dir);
        TcxVerdict verdict = TcxVerdict.NEXT;
        if (kernel.tcxNeededKey.get() > 0) {
            Mprog<SimProg, SimLink> bundle = entry.bundle();
            MprogEntry<SimProg> e = bundle.readBegin();
            try {
                Object[] fused = fusedChain(dev, dir, e);
                if (fused != null) {
                    verdict = runFused(fused, dev, dir, hook, skb, trace);
                } else {
                    for (int i = 0; i < Mprog.SLOTS; i++) {
                        SimProg p = e.prog(i);
                        if (p == null) {
                            break;
                        }
                        Run run = run(p, skb);
                        int ret = run.result.faulted() ? TC_ACT_SHOT : run.result.returnValue();
                        verdict = TcxVerdict.of(ret);
                        trace.add(new TraceEvent(TraceEvent.Kind.TCX_RUN, dev.name, hook, p.id, p.name,
                                linkIdOf(dev, dir, p), 0, 0, ret, verdict.name(), 0, run.result.fault() == null ? ""
                                : "fault: " + run.result.fault(), run.printk, run.mapWrites));
                        if (!verdict.continuesChain()) {
                            break;
                        }
                    }
                }
            } finally {
                bundle.readEnd(e);
            }
        }
        switch (verdict) {
            case PASS -> {
                skb.setTcIndex(skb.tcClassid() & 0xffff);
                return new HookResult(TC_ACT_OK, null);
            }
            case DROP -> {
                return new HookResult(TC_ACT_SHOT, null);
            }
            case REDIRECT -> {
                return new HookResult(TC_ACT_REDIRECT, takeRedirect());
            }
            default -> {
                if (!entry.miniqActive() || !dev.clsact) {
                    return new HookResult(TC_ACT_OK, null);
                }
                return classic(dev, dir, skb, trace);
            }
        }
    }

    /** tcf_classify over the cls_bpf filters, in prio order. */
    private HookResult classic(SimDevice dev, TcDirection dir, SkBuff skb, Trace trace) {
        String hook = hookName(dir);
        for (SimDevice.ClassicFilter f : dev.filters(dir)) {
            SimProg p = f.prog;
            skb.setTcClassid(f.classid);
            Run run = run(p, skb);
            int ret = run.result.faulted() ? TC_ACT_SHOT : run.result.returnValue();
            int act;
            int classid;
            if (f.da) {
                act = switch (ret) {
                    case TC_ACT_OK, TC_ACT_SHOT, TC_ACT_STOLEN, TC_ACT_TRAP, TC_ACT_REDIRECT, TC_ACT_UNSPEC -> ret;
                    default -> TC_ACT_UNSPEC;
                };
                classid = skb.tcClassid();
            } else {
                act = ret == 0 ? TC_ACT_UNSPEC : TC_ACT_OK;
                classid = ret == -1 ? f.classid : ret;
            }
            trace.add(new TraceEvent(TraceEvent.Kind.CLASSIC_RUN, dev.name, hook, p.id, p.name, 0, f.prio, f.handle, ret,
                    actName(act) + (f.da ? "" : " (classid " + Integer.toHexString(classid) + ")"), 0,
                    run.result.fault() == null ? "" : "fault: " + run.result.fault(), run.printk, run.mapWrites));
            if (act == TC_ACT_UNSPEC) {
                continue;
            }
            if (act == TC_ACT_OK) {
                skb.setTcIndex(classid & 0xffff);
            }
            return new HookResult(act, act == TC_ACT_REDIRECT ? takeRedirect() : null);
        }
        return new HookResult(TC_ACT_OK, null);
    }

    private record Run(RunResult result, List<String> printk, List<String> mapWrites) {
    }

    /**
     * The chain of entry {@code e} as one fused VM run ({programs, ProgramChain, link ids, link
     * generation}), or null when a program of it is not a VM program (a test runtime). The chain is built when the entry's programs differ from the ones
     * it was built for, so a packet pays one reference compare per program to find it.
     */
    private static Object[] fusedChain(SimDevice dev, TcDirection dir, MprogEntry<SimProg> e) {
        SimDevice.ChainCache cache = dev.chains[dir == TcDirection.INGRESS ? 0 : 1];
        Object[] built = cache.built;
        if (built != null) {
            SimProg[] progs = (SimProg[]) built[0];
            int i = 0;
            while (i < progs.length && e.prog(i) == progs[i]) {
                i++;
            }
            if (i == progs.length && (i == Mprog.SLOTS || e.prog(i) == null)) {
                return built;
            }
        }
        List<SimProg> progs = new ArrayList<>();
        List<LoadedProgram> loaded = new ArrayList<>();
        for (int i = 0; i < Mprog.SLOTS && e.prog(i) != null; i++) {
            SimProg p = e.prog(i);
            if (!(p.exec instanceof VmRuntime.VmExecutable vx)) {
                return null;
            }
            progs.add(p);
            loaded.add(vx.loaded());
        }
        Object[] made = {progs.toArray(SimProg[]::new), ProgramChain.of(loaded), null, -1};
        cache.built = made;
        return made;
    }

    /** One fused run of the chain, then its trace events, one per program that ran, as the loop would record them. */
    private TcxVerdict runFused(Object[] built, SimDevice dev, TcDirection dir, String hook, SkBuff skb, Trace trace) {
        ProgramChain chain = (ProgramChain) built[1];
        Capture env = new Capture(kernel);
        ProgramChain.Outcome out;
        try {
            out = chain.run(skb, env, TcxVerdict.NEXT.code());
        } catch (RuntimeException ex) {
            out = new ProgramChain.Outcome(0, new long[chain.programs().size()], "the VM failed: " + ex, null);
        }
        if (out.redirect() != null) {
            pendingRedirect.set(out.redirect());
        }
        SimDevice.ChainCache cache = dev.chains[dir == TcDirection.INGRESS ? 0 : 1];
        SimProg[] progs = (SimProg[]) built[0];
        int generation = kernel.linkGeneration.get();
        if ((Integer) built[3] != generation) { // links changed since these ids were looked up
            int[] ids = new int[progs.length];
            for (int i = 0; i < progs.length; i++) {
                ids[i] = linkIdOf(dev, dir, progs[i]);
            }
            built = new Object[] {progs, built[1], ids, generation};
            cache.built = built;
        }
        int[] linkIds = (int[]) built[2];
        TcxVerdict verdict = TcxVerdict.NEXT;
        int last = Math.min(out.decidedBy(), progs.length - 1);
        for (int i = 0; i <= last; i++) {
            SimProg p = progs[i];
            p.runCount.incrementAndGet();
            boolean faulted = i == out.decidedBy() && out.fault() != null;
            int ret = faulted ? TC_ACT_SHOT : (int) out.r0()[i];
            verdict = TcxVerdict.of(ret);
            trace.add(new TraceEvent(TraceEvent.Kind.TCX_RUN, dev.name, hook, p.id, p.name, linkIds[i],
                    0, 0, ret, verdict.name(), 0, faulted ? "fault: " + out.fault() : "", env.printk(i), env.writes(i)));
        }
        return verdict;
    }

    /**
     * What a run (one program, or a fused chain) printed and wrote, for its trace events: lines and
     * writes filed under the chain position that made them (0 for a single program). The lists are
     * made on the first line, so the common run (no printk, no map update) allocates nothing more.
     */
    private static final class Capture extends KernelEnv {
        private List<String>[] printk;
        private List<String>[] writes;

        Capture(SimKernel kernel) {
            super(kernel);
        }

        @Override
        public void tracePrintk(String line) {
            tracePrintk(0, line);
        }

        @Override
        public void mapWrite(BpfMap map, byte[] key, byte[] value) {
            mapWrite(0, map, key, value);
        }

        @SuppressWarnings("unchecked")
        private static List<String>[] add(List<String>[] lists, int index, String line) {
            List<String>[] l = lists == null || lists.length <= index ? java.util.Arrays.copyOf(
                    lists == null ? new List[0] : lists, Math.max(index + 1, Mprog.SLOTS)) : lists;
            if (l[index] == null) {
                l[index] = new ArrayList<>();
            }
            l[index].add(line);
            return l;
        }

        @Override
        public void tracePrintk(int chainIndex, String line) {
            printk = add(printk, chainIndex, line);
        }

        @Override
        public void mapWrite(int chainIndex, BpfMap map, byte[] key, byte[] value) {
            HexFormat hex = HexFormat.of();
            writes = add(writes, chainIndex, map.name() + "[" + hex.formatHex(key) + "]=" + hex.formatHex(value));
        }

        List<String> printk(int i) {
            return printk == null || printk[i] == null ? List.of() : printk[i];
        }

        List<String> writes(int i) {
            return writes == null || writes[i] == null ? List.of() : writes[i];
        }
    }

    /**
     * The pending redirect of the "CPU" (thread) that runs the packet, as the kernel keeps it per
     * CPU: a redirect helper called by any program stays pending until a TC_ACT_REDIRECT verdict
     * uses it, so program 1 may call bpf_redirect and return NEXT, and program 2 return 7.
     */
    private final ThreadLocal<RunResult.Redirect> pendingRedirect = new ThreadLocal<>();

    /** The pending redirect, cleared as skb_do_redirect clears it; null when no helper set one. */
    private RunResult.Redirect takeRedirect() {
        RunResult.Redirect r = pendingRedirect.get();
        pendingRedirect.remove();
        return r;
    }

    private Run run(SimProg p, SkBuff skb) {
        Capture env = new Capture(kernel);
        p.runCount.incrementAndGet();
        RunResult r;
        try {
            r = p.exec.run(skb, env);
        } catch (RuntimeException e) {
            r = new RunResult(TC_ACT_SHOT, null, "the VM failed: " + e, 0);
        }
        if (r.redirect() != null) {
            pendingRedirect.set(r.redirect());
        }
        return new Run(r, env.printk(0), env.writes(0));
    }

    /**
     * What every run of this kernel may ask about the world: its network devices (bpf_check_mtu,
     * bpf_clone_redirect and bpf_fib_lookup look them up). Simulated devices have Ethernet's MTU and
     * header; loopback has the kernel's 64 KiB MTU.
     */
    private abstract static class KernelEnv implements RunEnv {
        private final SimKernel kernel;

        KernelEnv(SimKernel kernel) {
            this.kernel = kernel;
        }

        @Override
        public dev.tcxsim.vm.helpers.NetDevice device(int ifindex) {
            SimDevice d = kernel.deviceByIndex(ifindex);
            if (d == null) {
                return null;
            }
            return "loopback".equals(d.kind) || "lo".equals(d.name)
                    ? new dev.tcxsim.vm.helpers.NetDevice(ifindex, 65536, 14)
                    : new dev.tcxsim.vm.helpers.NetDevice(ifindex, 1500, 14);
        }
    }


    /**
     * The link that owns {@code p}'s slot, for traces (0 for a plain attachment). Packets must
     * not take the control path's locks while they walk an entry (the writer waits for them), so
     * this looks through the kernel's concurrent link table instead of the bundle's cp items.
     */
    private int linkIdOf(SimDevice dev, TcDirection dir, SimProg p) {
        for (SimLink l : kernel.links.values()) {
            if (l.prog == p && l.dev == dev && l.dir == dir) {
                return l.id;
            }
        }
        return 0;
    }

    private static String hookName(TcDirection dir) {
        return dir == TcDirection.INGRESS ? "ingress" : "egress";
    }

    static String actName(int act) {
        return switch (act) {
            case TC_ACT_UNSPEC -> "UNSPEC";
            case TC_ACT_OK -> "OK";
            case TC_ACT_RECLASSIFY -> "RECLASSIFY";
            case TC_ACT_SHOT -> "SHOT";
            case 3 -> "PIPE";
            case TC_ACT_STOLEN -> "STOLEN";
            case TC_ACT_QUEUED -> "QUEUED";
            case 6 -> "REPEAT";
            case TC_ACT_REDIRECT -> "REDIRECT";
            case TC_ACT_TRAP -> "TRAP";
            default -> "code " + act;
        };
    }
}
