package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.DeviceInfo;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.TcFilter;
import dev.tcxsim.kernel.UdpSocket;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.VethPair;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.tcx.Mprog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulated kernel: one network namespace with its devices, one bpffs, the program, map and
 * link id spaces, and the tcx datapath. Control operations are serialized by one lock (the
 * kernel's RTNL); packets run without it, reading the published tcx entries as RCU readers do.
 */
public final class SimKernel implements Kernel {
    /** IFNAMSIZ - 1. */
    private static final int IFNAME_MAX = 15;

    final Object rtnl = new Object();
    final ProgramRuntime runtime;
    private final boolean ownsRuntime;
    private boolean closed;
    private final Map<String, SimDevice> devicesByName = new LinkedHashMap<>();
    private final Map<Integer, SimDevice> devicesByIndex = new TreeMap<>();
    /** Read by packets without the lock: replaced whole on every device change. */
    private volatile Map<Integer, SimDevice> deviceSnapshot = Map.of();
    private volatile Map<String, SimDevice> deviceNameSnapshot = Map.of();
    private int nextIfindex = 1;
    final Map<Integer, SimProg> progs = new HashMap<>();
    final Map<Integer, SimMap> maps = new HashMap<>();
    /** Concurrent because packets look up a slot's link for their trace without the lock. */
    final Map<Integer, SimLink> links = new ConcurrentHashMap<>();
    /** Bumped after every change of which link owns which program (the datapath caches link ids per chain). */
    final java.util.concurrent.atomic.AtomicInteger linkGeneration = new java.util.concurrent.atomic.AtomicInteger();
    private int lastProgId;
    private int lastMapId;
    private int lastLinkId;
    final Map<String, KObject> pins = new HashMap<>();
    final List<SimUdpSocket> sockets = new CopyOnWriteArrayList<>();
    private final List<SimProcess> processes = new ArrayList<>();
    /** tcx_needed_key: one per attached tcx program in this kernel. */
    final AtomicInteger tcxNeededKey = new AtomicInteger();
    /** ingress_needed_key / egress_needed_key: tcx programs and clsact qdiscs per direction. */
    final AtomicInteger ingressNeededKey = new AtomicInteger();
    final AtomicInteger egressNeededKey = new AtomicInteger();
    private final Datapath datapath = new Datapath(this);
    private volatile Trace lastTrace = new Trace();

    /** A kernel whose programs run on ebpf-vm; closing the kernel closes its VM. */
    public SimKernel() {
        this(VmRuntime.create(), true);
    }

    /** A kernel with another program runtime (tests of the datapath logic); the caller keeps owning it. */
    public SimKernel(ProgramRuntime runtime) {
        this(runtime, false);
    }

    private SimKernel(ProgramRuntime runtime, boolean ownsRuntime) {
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
        SimDevice lo = newDevice("lo", "loopback");
        lo.addresses.add(new int[] {Ipv4.parse("127.0.0.1"), 8});
    }

    @Override
    public String backend() {
        return "sim";
    }

    @Override
    public BpfProcess process(String name) {
        synchronized (rtnl) {
            SimProcess p = new SimProcess(this, name);
            processes.add(p);
            return p;
        }
    }

    // ---- ids ----

    int nextProgId() {
        return ++lastProgId;
    }

    int nextMapId() {
        return ++lastMapId;
    }

    /** Link ids are handed out cyclically, so one reserved by a failed LINK_CREATE is not reused. */
    int nextLinkId() {
        return ++lastLinkId;
    }

    // ---- devices ----

    private SimDevice newDevice(String name, String kind) {
        SimDevice d = new SimDevice(nextIfindex++, name, kind);
        devicesByName.put(name, d);
        devicesByIndex.put(d.ifindex, d);
        publishDevices();
        return d;
    }

    private void publishDevices() {
        deviceSnapshot = Map.copyOf(devicesByIndex);
        deviceNameSnapshot = Map.copyOf(devicesByName);
    }

    private void checkNewName(String name) throws BpfException {
        if (name == null || name.isEmpty() || name.length() > IFNAME_MAX || name.contains("/") || name.contains(" ")
                || name.equals(".") || name.equals("..")) {
            throw new BpfException(Errno.EINVAL, "'" + name + "' is not a valid device name (1.." + IFNAME_MAX
                    + " characters, no '/' or blanks)");
        }
        if (devicesByName.containsKey(name)) {
            throw new BpfException(Errno.EEXIST, "a device named " + name + " exists already");
        }
    }

    @Override
    public int addDummy(String name) throws BpfException {
        synchronized (rtnl) {
            checkNewName(name);
            return newDevice(name, "dummy").ifindex;
        }
    }

    @Override
    public VethPair addVeth(String name, String peerName) throws BpfException {
        synchronized (rtnl) {
            checkNewName(name);
            checkNewName(peerName);
            if (name.equals(peerName)) {
                throw new BpfException(Errno.EEXIST, "both veth ends are called " + name);
            }
            // veth_newlink registers the peer first, so the peer gets the lower ifindex
            SimDevice b = newDevice(peerName, "veth");
            SimDevice a = newDevice(name, "veth");
            a.peer = b;
            b.peer = a;
            return new VethPair(name, a.ifindex, peerName, b.ifindex);
        }
    }

    @Override
    public void addAddress(String dev, String cidr) throws BpfException {
        synchronized (rtnl) {
            SimDevice d = device(dev);
            int slash = cidr == null ? -1 : cidr.indexOf('/');
            int ip;
            int prefix;
            try {
                ip = Ipv4.parse(slash < 0 ? String.valueOf(cidr) : cidr.substring(0, slash));
                prefix = slash < 0 ? 32 : Integer.parseInt(cidr.substring(slash + 1));
            } catch (IllegalArgumentException e) {
                throw new BpfException(Errno.EINVAL, "address '" + cidr + "': " + e.getMessage());
            }
            if (prefix < 0 || prefix > 32) {
                throw new BpfException(Errno.EINVAL, "address '" + cidr + "': prefix length must be 0..32");
            }
            if (d.hasAddress(ip)) {
                throw new BpfException(Errno.EEXIST, dev + " already has " + Ipv4.format(ip));
            }
            d.addresses.add(new int[] {ip, prefix});
        }
    }

    @Override
    public void deleteDevice(String name) throws BpfException {
        synchronized (rtnl) {
            SimDevice d = device(name);
            if (d.kind.equals("loopback")) {
                throw new BpfException(Errno.EOPNOTSUPP, "the loopback device cannot be deleted");
            }
            unregister(d);
            if (d.peer != null) {
                unregister(d.peer);
            }
        }
    }

    /** unregister_netdevice: classic tc goes, tcx hooks are torn down (links defunct, plain refs dropped). */
    private void unregister(SimDevice d) {
        if (d.clsact) {
            dropClsact(d);
        }
        for (TcDirection dir : TcDirection.values()) {
            for (Mprog.Slot<SimProg, SimLink> s : d.hook(dir).unregister()) {
                tcxNeededKey.decrementAndGet();
                neededKey(dir).decrementAndGet();
                if (s.link() != null) {
                    s.link().dev = null;
                    linkGeneration.incrementAndGet();
                } else {
                    s.prog().put();
                }
            }
        }
        d.gone = true;
        devicesByName.remove(d.name);
        devicesByIndex.remove(d.ifindex);
        publishDevices();
        for (SimTap t : d.taps) {
            t.close();
        }
    }

    AtomicInteger neededKey(TcDirection dir) {
        return dir == TcDirection.INGRESS ? ingressNeededKey : egressNeededKey;
    }

    @Override
    public int ifindex(String name) throws BpfException {
        synchronized (rtnl) {
            return device(name).ifindex;
        }
    }

    @Override
    public List<DeviceInfo> devices() {
        synchronized (rtnl) {
            List<DeviceInfo> out = new ArrayList<>();
            for (SimDevice d : devicesByIndex.values()) {
                out.add(new DeviceInfo(d.ifindex, d.name, d.kind, d.peer == null ? null : d.peer.name, d.addressStrings()));
            }
            return out;
        }
    }

    SimDevice device(String name) throws BpfException {
        SimDevice d = name == null ? null : devicesByName.get(name);
        if (d == null) {
            throw new BpfException(Errno.ENODEV, "no device named " + name);
        }
        return d;
    }

    /** __dev_get_by_index; null when absent. Lock-free, for packets too. */
    SimDevice deviceByIndex(int ifindex) {
        return deviceSnapshot.get(ifindex);
    }

    // ---- classic tc ----

    @Override
    public void qdiscAddClsact(String dev) throws BpfException {
        synchronized (rtnl) {
            SimDevice d = device(dev);
            if (d.clsact) {
                throw new BpfException(Errno.EEXIST, dev + " already has a clsact qdisc");
            }
            d.clsact = true;
            for (TcDirection dir : TcDirection.values()) {
                d.hook(dir).miniqAttach();
                neededKey(dir).incrementAndGet();
            }
        }
    }

    @Override
    public void qdiscDelClsact(String dev) throws BpfException {
        synchronized (rtnl) {
            SimDevice d = device(dev);
            if (!d.clsact) {
                throw new BpfException(Errno.ENOENT, dev + " has no clsact qdisc");
            }
            dropClsact(d);
        }
    }

    private void dropClsact(SimDevice d) {
        for (TcDirection dir : TcDirection.values()) {
            for (SimDevice.ClassicFilter f : d.filters(dir)) {
                f.prog.put();
            }
            d.filters(dir, List.of());
            d.hook(dir).miniqDetach();
            neededKey(dir).decrementAndGet();
        }
        d.clsact = false;
    }

    @Override
    public void filterAdd(BpfProcess owner, String dev, TcDirection dir, int prio, int handle, int progFd,
                          boolean directAction, boolean replace) throws BpfException {
        synchronized (rtnl) {
            SimDevice d = device(dev);
            if (!d.clsact) {
                throw new BpfException(Errno.EINVAL, "Parent Qdisc doesn't exists: " + dev + " has no clsact qdisc");
            }
            if (prio < 0 || prio > 0xffff) {
                throw new BpfException(Errno.ERANGE, "prio " + prio + " is out of 0..65535");
            }
            SimProg prog = ((SimProcess) unwrap(owner)).progOfFd(progFd, "filter program");
            if (prog.type != Uapi.BPF_PROG_TYPE_SCHED_CLS) {
                throw new BpfException(Errno.EINVAL, "cls_bpf needs a SCHED_CLS program, " + prog + " has type " + prog.type);
            }
            List<SimDevice.ClassicFilter> list = new ArrayList<>(d.filters(dir));
            if (prio == 0) {
                prio = list.isEmpty() ? 0xC000 : list.stream().mapToInt(f -> f.prio).min().orElseThrow() - 1;
            }
            final int p = prio;
            if (handle == 0) {
                int h = 1;
                while (true) {
                    final int hh = h;
                    if (list.stream().noneMatch(f -> f.prio == p && f.handle == hh)) {
                        break;
                    }
                    h++;
                }
                handle = h;
            }
            for (int i = 0; i < list.size(); i++) {
                SimDevice.ClassicFilter f = list.get(i);
                if (f.prio == prio && f.handle == handle) {
                    if (!replace) {
                        throw new BpfException(Errno.EEXIST, "a filter with prio " + prio + " handle " + handle + " exists on "
                                + dev + " " + dir.name().toLowerCase());
                    }
                    // cls_bpf's change replaces the whole filter (program and flags such as da) in place.
                    prog.get();
                    list.set(i, new SimDevice.ClassicFilter(prio, handle, prog, directAction, 0));
                    d.filters(dir, list);
                    f.prog.put();
                    return;
                }
            }
            prog.get();
            SimDevice.ClassicFilter nf = new SimDevice.ClassicFilter(prio, handle, prog, directAction, 0);
            int at = 0;
            while (at < list.size() && list.get(at).prio <= prio) {
                at++;
            }
            list.add(at, nf);
            d.filters(dir, list);
        }
    }

    @Override
    public void filterDel(String dev, TcDirection dir, int prio, int handle) throws BpfException {
        synchronized (rtnl) {
            SimDevice d = device(dev);
            if (!d.clsact) {
                throw new BpfException(Errno.EINVAL, dev + " has no clsact qdisc");
            }
            List<SimDevice.ClassicFilter> keep = new ArrayList<>();
            List<SimDevice.ClassicFilter> gone = new ArrayList<>();
            for (SimDevice.ClassicFilter f : d.filters(dir)) {
                boolean match = (prio == 0 || f.prio == prio) && (handle == 0 || f.handle == handle);
                (match ? gone : keep).add(f);
            }
            if (gone.isEmpty()) {
                throw new BpfException(Errno.ENOENT, "no filter with prio " + prio + (handle == 0 ? "" : " handle " + handle)
                        + " on " + dev + " " + dir.name().toLowerCase());
            }
            d.filters(dir, keep);
            for (SimDevice.ClassicFilter f : gone) {
                f.prog.put();
            }
        }
    }

    @Override
    public List<TcFilter> filters(String dev, TcDirection dir) throws BpfException {
        synchronized (rtnl) {
            SimDevice d = device(dev);
            List<TcFilter> out = new ArrayList<>();
            for (SimDevice.ClassicFilter f : d.filters(dir)) {
                out.add(new TcFilter(f.prio, f.handle, f.prog.id, f.prog.name, f.da));
            }
            return out;
        }
    }

    /** Accepts only this kernel's processes. */
    private BpfProcess unwrap(BpfProcess p) throws BpfException {
        if (p instanceof SimProcess sp && sp.kernel == this) {
            return sp;
        }
        throw new BpfException(Errno.EINVAL, "process " + p + " does not belong to this simulated kernel");
    }

    // ---- datapath ----

    @Override
    public void transmit(String dev, byte[] frame) throws BpfException {
        Trace t = transmitTraced(dev, frame);
        if (t.egressDropped()) {
            throw new BpfException(Errno.ENOBUFS, "sendto: the egress path of " + dev + " dropped the frame (NET_XMIT_DROP)");
        }
    }

    /**
     * Like {@link #transmit} but returns this frame's trace instead of reporting an egress drop
     * as ENOBUFS; safe to call from several threads at once.
     */
    public Trace transmitTraced(String dev, byte[] frame) throws BpfException {
        SimDevice d = dev == null ? null : deviceNameSnapshot.get(dev);
        if (d == null) {
            throw new BpfException(Errno.ENODEV, "no device named " + dev);
        }
        if (frame == null || frame.length < 14) {
            throw new BpfException(Errno.EINVAL, "a frame needs at least an Ethernet header (14 bytes), got "
                    + (frame == null ? "null" : frame.length + " bytes"));
        }
        Trace trace = new Trace();
        lastTrace = trace;
        trace.egressDropped(!datapath.transmit(d, frame, trace));
        return trace;
    }

    /** The steps of the most recent {@link #transmit}. */
    public Trace lastTrace() {
        return lastTrace;
    }

    /** tcx_needed_key's count: tcx programs attached anywhere in this kernel. */
    public int tcxNeededKey() {
        return tcxNeededKey.get();
    }

    /** ingress_needed_key / egress_needed_key's count (tcx programs plus clsact qdiscs). */
    public int neededKeyCount(TcDirection dir) {
        return neededKey(dir).get();
    }

    @Override
    public UdpSocket udpListen(String ip, int port) throws BpfException {
        synchronized (rtnl) {
            int addr;
            try {
                addr = Ipv4.parse(ip);
            } catch (IllegalArgumentException e) {
                throw new BpfException(Errno.EINVAL, e.getMessage());
            }
            if (port < 1 || port > 65535) {
                throw new BpfException(Errno.EINVAL, "port " + port + " is out of 1..65535");
            }
            if (addr != 0 && devicesByIndex.values().stream().noneMatch(d -> d.hasAddress(addr))) {
                throw new BpfException(Errno.EADDRNOTAVAIL, ip + " is not an address of this namespace");
            }
            for (SimUdpSocket s : sockets) {
                if (s.port == port && (s.ip == 0 || addr == 0 || s.ip == addr)) {
                    throw new BpfException(Errno.EADDRINUSE, ip + ":" + port + " is taken");
                }
            }
            SimUdpSocket s = new SimUdpSocket(addr, port, sockets::remove);
            sockets.add(s);
            return s;
        }
    }

    /** True when {@code ip} is an address of any device of the namespace (Linux' weak host model). */
    boolean isLocal(int ip) {
        for (SimDevice d : deviceSnapshot.values()) {
            if (d.hasAddress(ip)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public PacketTap tap(String dev) throws BpfException {
        synchronized (rtnl) {
            SimDevice d = device(dev);
            SimTap t = new SimTap(d);
            d.taps.add(t);
            return t;
        }
    }

    @Override
    public void close() {
        synchronized (rtnl) {
            if (closed) {
                return;
            }
            closed = true;
            for (SimProcess p : List.copyOf(processes)) {
                p.exit();
            }
            for (KObject o : List.copyOf(pins.values())) {
                o.put();
            }
            pins.clear();
            for (SimDevice d : List.copyOf(devicesByIndex.values())) {
                unregister(d);
            }
            sockets.clear();
        }
        if (ownsRuntime) {
            runtime.close();
        }
    }

    @Override
    public String toString() {
        return "SimKernel[" + devicesByName.keySet() + "]";
    }
}
