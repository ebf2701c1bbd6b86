package dev.tcxsim.kernel;

import java.util.List;

/**
 * One kernel session, as a conformance case sees it: bpf(2) through {@link BpfProcess}, devices and
 * classic tc through rtnetlink-like calls, and a few datapath observation points.
 *
 * <p>It speaks the kernel's language (fds, uapi attach types and flags, relative fd or id,
 * expected revision, {@link dev.tcxsim.tcx.Errno}), so one case runs unchanged on the simulator
 * ({@code SimKernel}) and on the real kernel ({@code LinuxKernel}). Everything a session creates
 * lives in the session's own network namespace and bpffs root; {@link #close()} removes it all.
 *
 * <p>Ids and fd numbers differ between backends: compare relations (query order, "the id of this
 * fd"), never raw numbers across backends.
 */
public interface Kernel extends AutoCloseable {
    /** "sim" or "linux". */
    String backend();

    /** A new process with its own, empty fd table. */
    BpfProcess process(String name);

    // ---- devices (all in this session's network namespace) ----

    /** Creates a dummy device (UP) and returns its ifindex; EEXIST if the name is taken. */
    int addDummy(String name) throws BpfException;

    /** Creates a veth pair, both ends UP; EEXIST if a name is taken. */
    VethPair addVeth(String name, String peerName) throws BpfException;

    /** Adds an IPv4 address such as "192.0.2.1/24" to a device; ENODEV if absent, EINVAL if malformed. */
    void addAddress(String dev, String cidr) throws BpfException;

    /** Removes a device (both ends of a veth pair); ENODEV if absent. */
    void deleteDevice(String name) throws BpfException;

    /** The ifindex of a device; ENODEV if absent. */
    int ifindex(String name) throws BpfException;

    /** Every device of the session, loopback included, by ifindex. */
    List<DeviceInfo> devices();

    // ---- classic tc: clsact + cls_bpf ----

    /** {@code tc qdisc add dev DEV clsact}; EEXIST if present, ENODEV if no such device. */
    void qdiscAddClsact(String dev) throws BpfException;

    /** {@code tc qdisc del dev DEV clsact}; removes every classic filter; ENOENT/EINVAL when there is none. */
    void qdiscDelClsact(String dev) throws BpfException;

    /**
     * {@code tc filter add|replace dev DEV ingress|egress prio P handle H bpf [da] fd F}.
     * Without {@code replace} an existing prio+handle is EEXIST; with it the program is swapped in
     * place. prio 0 lets the kernel choose. Needs the clsact qdisc (EINVAL otherwise).
     */
    void filterAdd(BpfProcess owner, String dev, TcDirection dir, int prio, int handle, int progFd,
                   boolean directAction, boolean replace) throws BpfException;

    /** {@code tc filter del}; handle 0 deletes every filter of that prio. ENOENT when nothing matches. */
    void filterDel(String dev, TcDirection dir, int prio, int handle) throws BpfException;

    /** The classic filters of one direction in classification order. */
    List<TcFilter> filters(String dev, TcDirection dir) throws BpfException;

    // ---- datapath observation ----

    /**
     * Sends an Ethernet frame out of {@code dev} (AF_PACKET on Linux): dev's egress hook, then for a
     * veth the peer's ingress hook, then local delivery. Returns when the frame's fate is decided.
     * ENOBUFS when dev's own egress path drops the frame (AF_PACKET's sendto reports the
     * NET_XMIT_DROP of a tc egress SHOT that way); later drops are not reported.
     */
    void transmit(String dev, byte[] frame) throws BpfException;

    /** A UDP socket bound to ip:port in the session's namespace; counts datagrams the stack delivers. */
    UdpSocket udpListen(String ip, int port) throws BpfException;

    /** A packet tap on {@code dev}: frames arriving there, seen before tc ingress (as tcpdump sees them). */
    PacketTap tap(String dev) throws BpfException;

    /** Ends the session: every process exits, every device, pin and namespace it made is removed. */
    @Override
    void close();
}
