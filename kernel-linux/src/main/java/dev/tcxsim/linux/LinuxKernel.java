package dev.tcxsim.linux;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.DeviceInfo;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.TcFilter;
import dev.tcxsim.kernel.UdpSocket;
import dev.tcxsim.kernel.VethPair;
import dev.tcxsim.linux.ffm.Bpf;
import dev.tcxsim.linux.ffm.ErrnoException;
import dev.tcxsim.linux.ffm.KernelRequirement;
import dev.tcxsim.linux.ffm.Rtnetlink;
import dev.tcxsim.linux.ffm.Sockets;
import dev.tcxsim.linux.ffm.Sys;
import dev.tcxsim.tcx.Errno;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@link Kernel} API on the running Linux kernel: bpf(2), rtnetlink and packet sockets through
 * FFM, all inside one {@link NetnsSession} (a private network namespace, mount namespace and bpffs)
 * so a session never sees or touches the host's devices, and {@link #close()} leaves nothing behind.
 *
 * <p>Every call runs on the session's thread. Processes are modelled by fd bookkeeping: the JVM has
 * one real fd table, so each {@link LinuxBpfProcess} remembers which fds it opened, hands the kernel
 * an fd of another process as a closed one (EBADF, at the point where the kernel checks it), and
 * closes all of its fds at exit, which is what the kernel sees when a process ends.
 *
 * <p>Where the kernel lacks the dummy driver, {@link #addDummy} makes an ifb device instead (it
 * drops what it transmits as well) and {@link #devices()} still reports it as "dummy".
 */
public final class LinuxKernel implements Kernel {
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})/(\\d{1,2})");

    private final NetnsSession session;
    private final List<LinuxBpfProcess> processes = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> observers = new CopyOnWriteArrayList<>();

    private LinuxKernel(NetnsSession session) {
        this.session = session;
    }

    /**
     * Opens a session. Fails with the reason when the kernel backend cannot run here (not Linux,
     * older than 6.6, not root), or when a namespace step fails.
     */
    public static LinuxKernel open() throws BpfException {
        String why = KernelRequirement.whyUnavailable();
        if (why != null) {
            throw new BpfException(Errno.EPERM, "the Linux kernel backend cannot run here: " + why);
        }
        try {
            return new LinuxKernel(NetnsSession.start());
        } catch (ErrnoException e) {
            throw BpfException.ofNumber(e.errno(), "starting the kernel session: " + e.getMessage());
        }
    }

    /**
     * Opens a session in the named network namespace {@code name} (iproute2's /run/netns/NAME):
     * joins it when it exists, else creates it. Closing the session keeps the namespace, its devices
     * and its pins for the next session of that name; {@link #deleteNamed} removes them.
     */
    public static LinuxKernel openNamed(String name) throws BpfException {
        String why = KernelRequirement.whyUnavailable();
        if (why != null) {
            throw new BpfException(Errno.EPERM, "the Linux kernel backend cannot run here: " + why);
        }
        try {
            return new LinuxKernel(NetnsSession.startNamed(name));
        } catch (IllegalArgumentException e) {
            throw new BpfException(Errno.EINVAL, e.getMessage());
        } catch (ErrnoException e) {
            throw BpfException.ofNumber(e.errno(), "entering netns " + name + ": " + e.getMessage());
        }
    }

    /** Whether the named namespace exists (/run/netns/NAME). */
    public static boolean namedExists(String name) {
        return NetnsSession.namedExists(name);
    }

    /** Removes a named namespace made by {@link #openNamed}: its pins, its bpffs mount and its name. */
    public static void deleteNamed(String name) throws BpfException {
        try {
            NetnsSession.deleteNamed(name);
        } catch (IllegalArgumentException e) {
            throw new BpfException(Errno.EINVAL, e.getMessage());
        } catch (ErrnoException e) {
            throw BpfException.ofNumber(e.errno(), "deleting netns " + name + ": " + e.getMessage());
        } catch (java.io.IOException e) {
            throw new BpfException(Errno.EIO, "deleting netns " + name + ": " + e);
        }
    }

    @Override
    public String backend() {
        return "linux";
    }

    /** The namespace session (for tests and diagnostics). */
    public NetnsSession session() {
        return session;
    }

    @Override
    public BpfProcess process(String name) {
        LinuxBpfProcess p = new LinuxBpfProcess(this, name);
        processes.add(p);
        return p;
    }

    /** Runs work on the session thread, turning the kernel's errno into a {@link BpfException}. */
    <T> T run(NetnsSession.Work<T> work) throws BpfException {
        try {
            return session.call(work);
        } catch (ErrnoException e) {
            throw BpfException.ofNumber(e.errno(), e.getMessage());
        } catch (IllegalStateException e) {
            if (session.isClosed()) {
                throw new BpfException(Errno.EBADF, "the Linux kernel session is closed");
            }
            throw e;
        }
    }

    // ---- devices ----

    private Rtnetlink rt() {
        return session.rtnl();
    }

    @Override
    public int addDummy(String name) throws BpfException {
        checkName(name);
        return run(() -> {
            rt().addDummy(name);
            int ifindex = rt().link(name).ifindex();
            rt().setUp(ifindex);
            return ifindex;
        });
    }

    @Override
    public VethPair addVeth(String name, String peerName) throws BpfException {
        checkName(name);
        checkName(peerName);
        return run(() -> {
            rt().addVeth(name, peerName);
            int a = rt().link(name).ifindex();
            int b = rt().link(peerName).ifindex();
            rt().setUp(a);
            rt().setUp(b);
            return new VethPair(name, a, peerName, b);
        });
    }

    private static void checkName(String name) throws BpfException {
        if (name == null || name.isEmpty() || name.length() > 15 || name.contains("/") || name.contains(" ")
                || name.equals(".") || name.equals("..")) {
            throw new BpfException(Errno.EINVAL, "'" + name + "' is not a valid device name (1..15 characters, no '/' or blanks)");
        }
    }

    @Override
    public void addAddress(String dev, String cidr) throws BpfException {
        Matcher m = cidr == null ? null : CIDR.matcher(cidr);
        if (m == null || !m.matches() || Integer.parseInt(m.group(2)) > 32) {
            throw new BpfException(Errno.EINVAL, "'" + cidr + "' is not an IPv4 address in CIDR form such as 192.0.2.1/24");
        }
        for (String octet : m.group(1).split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                throw new BpfException(Errno.EINVAL, "'" + cidr + "' has an octet above 255");
            }
        }
        run(() -> {
            rt().addAddress(rt().link(dev).ifindex(), m.group(1), Integer.parseInt(m.group(2)));
            return null;
        });
    }

    @Override
    public void deleteDevice(String name) throws BpfException {
        run(() -> {
            rt().deleteLink(rt().link(name).ifindex());
            return null;
        });
    }

    @Override
    public int ifindex(String name) throws BpfException {
        return run(() -> rt().link(name).ifindex());
    }

    /** The MAC address of a device (6 bytes for Ethernet devices). */
    public byte[] macAddress(String name) throws BpfException {
        return run(() -> rt().link(name).mac());
    }

    @Override
    public List<DeviceInfo> devices() {
        try {
            return run(() -> {
                List<Rtnetlink.Link> links = rt().links();
                Map<Integer, List<String>> addrs = new HashMap<>();
                for (Rtnetlink.Address a : rt().addresses()) {
                    addrs.computeIfAbsent(a.ifindex(), k -> new ArrayList<>()).add(a.cidr());
                }
                Map<Integer, String> names = new HashMap<>();
                links.forEach(l -> names.put(l.ifindex(), l.name()));
                List<DeviceInfo> out = new ArrayList<>();
                for (Rtnetlink.Link l : links) {
                    String kind = l.kind().equals("ifb") ? "dummy" : l.kind();
                    String peer = kind.equals("veth") ? names.get(l.linkIfindex()) : null;
                    out.add(new DeviceInfo(l.ifindex(), l.name(), kind, peer, addrs.getOrDefault(l.ifindex(), List.of())));
                }
                out.sort((x, y) -> Integer.compare(x.ifindex(), y.ifindex()));
                return out;
            });
        } catch (BpfException e) {
            throw new IllegalStateException("listing the session's devices failed: " + e.getMessage(), e);
        }
    }

    // ---- classic tc ----

    @Override
    public void qdiscAddClsact(String dev) throws BpfException {
        run(() -> {
            rt().addClsact(rt().link(dev).ifindex());
            return null;
        });
    }

    @Override
    public void qdiscDelClsact(String dev) throws BpfException {
        run(() -> {
            rt().deleteClsact(rt().link(dev).ifindex());
            return null;
        });
    }

    private static int parent(TcDirection dir) {
        return dir == TcDirection.INGRESS ? Rtnetlink.TC_PARENT_INGRESS : Rtnetlink.TC_PARENT_EGRESS;
    }

    private static void checkPrioHandle(int prio, int handle) throws BpfException {
        if (prio < 0 || prio > 0xFFFF) {
            throw new BpfException(Errno.EINVAL, "tc filter prio " + prio + " is outside 0..65535");
        }
        if (handle < 0) {
            throw new BpfException(Errno.EINVAL, "tc filter handle " + handle + " is negative");
        }
    }

    @Override
    public void filterAdd(BpfProcess owner, String dev, TcDirection dir, int prio, int handle, int progFd,
                          boolean directAction, boolean replace) throws BpfException {
        checkPrioHandle(prio, handle);
        int fd = ownProcess(owner).kernelFd(progFd);
        run(() -> {
            int ifindex = rt().link(dev).ifindex();
            String name = progName(fd);
            rt().addBpfFilter(ifindex, parent(dir), prio, handle, fd, name, directAction, replace);
            return null;
        });
    }

    /** The name tc shows for a filter's program: the program's own name (or "" when fd is not a program). */
    private static String progName(int fd) {
        try {
            return Bpf.progInfo(fd).name();
        } catch (ErrnoException e) {
            return ""; // the filter request itself reports the bad fd with the kernel's errno
        }
    }

    private LinuxBpfProcess ownProcess(BpfProcess p) throws BpfException {
        if (p instanceof LinuxBpfProcess lp && lp.kernel() == this) {
            return lp;
        }
        throw new BpfException(Errno.EINVAL, "process " + p + " does not belong to this Linux kernel session"
                + " (pass the BpfProcess this kernel's process() returned, not a wrapper)");
    }

    @Override
    public void filterDel(String dev, TcDirection dir, int prio, int handle) throws BpfException {
        checkPrioHandle(prio, handle);
        run(() -> {
            rt().deleteFilter(rt().link(dev).ifindex(), parent(dir), prio, handle);
            return null;
        });
    }

    @Override
    public List<TcFilter> filters(String dev, TcDirection dir) throws BpfException {
        return run(() -> {
            List<TcFilter> out = new ArrayList<>();
            for (Rtnetlink.Filter f : rt().filters(rt().link(dev).ifindex(), parent(dir))) {
                out.add(new TcFilter(f.prio(), f.handle(), f.progId(), f.progName(), f.directAction()));
            }
            return out;
        });
    }

    // ---- datapath observation ----

    @Override
    public void transmit(String dev, byte[] frame) throws BpfException {
        if (frame == null || frame.length < 14) {
            throw new BpfException(Errno.EINVAL, "a frame needs at least an Ethernet header (14 bytes), got "
                    + (frame == null ? "null" : frame.length + " bytes"));
        }
        run(() -> {
            int ifindex = rt().link(dev).ifindex();
            int fd = Sockets.packetSocket(ifindex, true);
            try {
                // ENOBUFS when dev's egress path drops the frame: dev_queue_xmit's NET_XMIT_DROP
                // reaches sendto that way (the Kernel contract passes it on).
                Sockets.packetSend(fd, ifindex, frame);
            } finally {
                Sys.close(fd);
            }
            return null;
        });
    }

    @Override
    public UdpSocket udpListen(String ip, int port) throws BpfException {
        if (port < 1 || port > 65535) {
            throw new BpfException(Errno.EINVAL, "UDP port " + port + " is outside 1..65535");
        }
        try {
            Sockets.ipv4(ip);
        } catch (IllegalArgumentException e) {
            throw new BpfException(Errno.EINVAL, e.getMessage());
        }
        int fd = run(() -> session.track(Sockets.udpSocket(ip, port)));
        LinuxUdpSocket s = new LinuxUdpSocket(this, fd);
        observers.add(s);
        return s;
    }

    @Override
    public PacketTap tap(String dev) throws BpfException {
        int fd = run(() -> session.track(Sockets.packetSocket(rt().link(dev).ifindex(), true)));
        LinuxPacketTap t = new LinuxPacketTap(this, fd);
        observers.add(t);
        return t;
    }

    /**
     * BPF_PROG_TEST_RUN of one of {@code owner}'s programs on {@code frame}, {@code repeat} times: the
     * kernel's own answer for what a program returns, without attaching it anywhere.
     */
    public Bpf.TestRun testRun(BpfProcess owner, int progFd, byte[] frame, int repeat) throws BpfException {
        int fd = ownProcess(owner).kernelFd(progFd);
        // room for a program that grows the packet, as bpftool leaves (data_size_out 32 KiB): a buffer of
        // the input's size would make the kernel answer ENOSPC for every encapsulation
        int outSize = Math.max(frame.length, 32 * 1024);
        return run(() -> Bpf.progTestRun(fd, frame, outSize, null, 0, repeat));
    }

    void forget(AutoCloseable observer) {
        observers.remove(observer);
    }

    /** Closes an fd the session tracked, on the session thread. */
    void closeTracked(int fd) {
        if (session.isClosed()) {
            return;
        }
        try {
            session.call(() -> {
                Sys.close(fd);
                session.untrack(fd);
                return null;
            });
        } catch (ErrnoException | IllegalStateException e) {
            // the session is being closed: its cleanup closes the fd
        }
    }

    @Override
    public void close() {
        for (LinuxBpfProcess p : processes) {
            p.exit();
        }
        for (AutoCloseable o : observers) {
            try {
                o.close();
            } catch (Exception e) {
                // the session closes whatever is left
            }
        }
        session.close();
    }
}
