package dev.tcxsim.linux.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An rtnetlink (NETLINK_ROUTE) socket and the requests tcxsim makes over it: links (dummy, veth,
 * up, delete, lookup, dump), IPv4 addresses, the clsact qdisc and cls_bpf filters. Every request
 * asks for an ACK; a negative {@code nlmsgerr.error} becomes an {@link ErrnoException} carrying the
 * kernel's extended-ack text when there is one.
 *
 * <p>The socket belongs to the network namespace of the thread that opened it, so open it on the
 * session thread. Not thread-safe: one session thread uses it.
 */
public final class Rtnetlink implements AutoCloseable {
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWQDISC = 36;
    public static final int RTM_DELQDISC = 37;
    public static final int RTM_NEWTFILTER = 44;
    public static final int RTM_DELTFILTER = 45;
    public static final int RTM_GETTFILTER = 46;

    static final int AF_NETLINK = 16;
    static final int AF_INET = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_ROUTE = 0;
    static final int SOL_NETLINK = 270;
    static final int NETLINK_CAP_ACK = 10;
    static final int NETLINK_EXT_ACK = 11;
    static final int NLMSGERR_ATTR_MSG = 1;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    private static final long RECV_TIMEOUT_SECONDS = 30;

    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_LINK = 5;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int VETH_INFO_PEER = 1;
    static final int IFF_UP = 1;
    static final int IFF_LOOPBACK = 8;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;

    static final int TCA_KIND = 1;
    static final int TCA_OPTIONS = 2;
    static final int TCA_BPF_FD = 6;
    static final int TCA_BPF_NAME = 7;
    static final int TCA_BPF_FLAGS = 8;
    static final int TCA_BPF_ID = 11;
    static final int TCA_BPF_FLAG_ACT_DIRECT = 1;

    /** clsact's handle ffff: and its parent TC_H_CLSACT. */
    public static final int CLSACT_HANDLE = 0xFFFF0000;
    public static final int TC_H_CLSACT = 0xFFFFFFF1;
    /** Filter parents: ffff:fff2 (ingress) and ffff:fff3 (egress). */
    public static final int TC_PARENT_INGRESS = 0xFFFFFFF2;
    public static final int TC_PARENT_EGRESS = 0xFFFFFFF3;
    /** htons(ETH_P_ALL) as it sits in tcm_info's low 16 bits. */
    static final int ETH_P_ALL_BE = 0x0300;

    private static final int IFINFOMSG_LEN = 16;
    private static final int IFADDRMSG_LEN = 8;
    private static final int TCMSG_LEN = 20;
    private static final int RECV_BUF = 1 << 16;

    private final int fd;
    private int seq = 1;

    private Rtnetlink(int fd) {
        this.fd = fd;
    }

    /** Opens a socket in the calling thread's network namespace. */
    public static Rtnetlink open() throws ErrnoException {
        int fd = Sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        try {
            Sys.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
            Sys.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
            try (Arena arena = Arena.ofConfined()) {
                // A kernel that never answers must not hang the session: recv gives up with EAGAIN.
                MemorySegment timeout = arena.allocate(16, 8);        // struct timeval
                timeout.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, RECV_TIMEOUT_SECONDS);
                Sys.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout);
                MemorySegment sa = arena.allocate(12, 4);   // sockaddr_nl: family, pad, pid 0 (kernel assigns), groups 0
                sa.set(JAVA_SHORT, 0, (short) AF_NETLINK);
                Sys.bind(fd, sa);
            }
            return new Rtnetlink(fd);
        } catch (ErrnoException e) {
            Sys.close(fd);
            throw e;
        }
    }

    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        Sys.close(fd);
    }

    // ---- transport ----

    /** Sends a request with NLM_F_ACK and waits for its ack (or error). */
    public void ack(NlMsg msg, String what) throws ErrnoException {
        exchange(msg, what, false);
    }

    /** Sends a dump request and collects every reply message up to NLMSG_DONE. */
    public List<NlMsg.Reply> dump(NlMsg msg, String what) throws ErrnoException {
        return exchange(msg, what, true);
    }

    private List<NlMsg.Reply> exchange(NlMsg msg, String what, boolean dump) throws ErrnoException {
        int mySeq = seq++;
        byte[] bytes = msg.bytes(mySeq);
        List<NlMsg.Reply> replies = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, out, JAVA_BYTE, 0, bytes.length);
            MemorySegment kernel = arena.allocate(12, 4);
            kernel.set(JAVA_SHORT, 0, (short) AF_NETLINK);
            Sys.sendto(fd, out, 0, kernel);
            MemorySegment in = arena.allocate(RECV_BUF, 8);
            while (true) {
                Sys.Result r = Sys.recvfrom(fd, in, 0, MemorySegment.NULL, MemorySegment.NULL);
                if (r.failed()) {
                    if (r.errno() == 4) {
                        continue; // EINTR
                    }
                    throw new ErrnoException(what + ": recv from rtnetlink"
                            + (r.errno() == 11 ? " (no answer within " + RECV_TIMEOUT_SECONDS + " s)" : ""), r.errno());
                }
                ByteBuffer b = ByteBuffer.wrap(in.asSlice(0, r.value()).toArray(JAVA_BYTE)).order(ByteOrder.nativeOrder());
                int p = 0;
                while (p + NlMsg.HDR_LEN <= b.limit()) {
                    int len = b.getInt(p);
                    int type = Short.toUnsignedInt(b.getShort(p + 4));
                    int flags = Short.toUnsignedInt(b.getShort(p + 6));
                    int rseq = b.getInt(p + 8);
                    if (len < NlMsg.HDR_LEN || p + len > b.limit()) {
                        throw new ErrnoException(what + ": malformed rtnetlink reply (length " + len + ")", 71);
                    }
                    ByteBuffer payload = b.slice(p + NlMsg.HDR_LEN, len - NlMsg.HDR_LEN).order(ByteOrder.nativeOrder());
                    p += (len + 3) & ~3;
                    if (rseq != mySeq) {
                        continue; // a late answer to an earlier request
                    }
                    if (type == NlMsg.NLMSG_ERROR) {
                        int error = payload.getInt(0);
                        if (error != 0) {
                            throw new ErrnoException(what, -error, extAck(payload, flags));
                        }
                        if (!dump) {
                            return replies;
                        }
                        continue;
                    }
                    if (type == NlMsg.NLMSG_DONE) {
                        if (payload.limit() >= 4 && payload.getInt(0) < 0) {
                            throw new ErrnoException(what, -payload.getInt(0), extAck(payload, flags));
                        }
                        return replies;
                    }
                    replies.add(new NlMsg.Reply(type, flags, rseq, payload));
                }
            }
        }
    }

    /** The extended ack message: with NETLINK_CAP_ACK the error is followed by the request's header only. */
    private static String extAck(ByteBuffer payload, int flags) {
        if ((flags & NlMsg.NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        int start = 4 + NlMsg.HDR_LEN;
        ByteBuffer msg = NlMsg.attrs(payload, start, payload.limit()).get(NLMSGERR_ATTR_MSG);
        return msg == null ? null : NlMsg.string(msg);
    }

    private static NlMsg ifinfo(int type, int flags, int ifindex, int ifFlags, int ifChange) {
        return new NlMsg(type, NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_ACK | flags)
                .putU8(0).putU8(0).putU16(0).putU32(ifindex).putU32(ifFlags).putU32(ifChange);
    }

    // ---- links ----

    /**
     * RTM_NEWLINK of a device without a peer whose transmissions go nowhere: kind "dummy", or "ifb"
     * where the kernel was built without the dummy driver (EOPNOTSUPP). An ifb device that nothing
     * redirects to drops what it transmits, as a dummy does, and has the same tc hooks. Returns the
     * kind used.
     */
    public String addDummy(String name) throws ErrnoException {
        try {
            addLink(name, "dummy");
            return "dummy";
        } catch (ErrnoException e) {
            if (e.errno() != 95) {
                throw e;
            }
            addLink(name, "ifb");
            return "ifb";
        }
    }

    /** RTM_NEWLINK of a device of {@code kind} that needs no IFLA_INFO_DATA. */
    public void addLink(String name, String kind) throws ErrnoException {
        NlMsg m = ifinfo(RTM_NEWLINK, NlMsg.NLM_F_CREATE | NlMsg.NLM_F_EXCL, 0, 0, 0)
                .attrString(IFLA_IFNAME, name)
                .nest(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, kind).endNest();
        ack(m, "RTM_NEWLINK " + kind + " " + name);
    }

    /** RTM_NEWLINK kind veth with VETH_INFO_PEER carrying the peer's ifinfomsg and name. */
    public void addVeth(String name, String peer) throws ErrnoException {
        NlMsg m = ifinfo(RTM_NEWLINK, NlMsg.NLM_F_CREATE | NlMsg.NLM_F_EXCL, 0, 0, 0)
                .attrString(IFLA_IFNAME, name)
                .nest(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "veth")
                .nest(IFLA_INFO_DATA).nest(VETH_INFO_PEER)
                .putU8(0).putU8(0).putU16(0).putU32(0).putU32(0).putU32(0)
                .attrString(IFLA_IFNAME, peer)
                .endNest().endNest().endNest();
        ack(m, "RTM_NEWLINK veth " + name + " peer " + peer);
    }

    /** Sets IFF_UP. */
    public void setUp(int ifindex) throws ErrnoException {
        ack(ifinfo(RTM_NEWLINK, 0, ifindex, IFF_UP, IFF_UP), "RTM_NEWLINK ifindex " + ifindex + " up");
    }

    /** RTM_DELLINK by ifindex. */
    public void deleteLink(int ifindex) throws ErrnoException {
        ack(ifinfo(RTM_DELLINK, 0, ifindex, 0, 0), "RTM_DELLINK ifindex " + ifindex);
    }

    /** One link as RTM_GETLINK describes it. */
    public record Link(int ifindex, String name, String kind, int flags, byte[] mac, int linkIfindex) {
        public boolean up() {
            return (flags & IFF_UP) != 0;
        }
    }

    private static Link link(NlMsg.Reply r) {
        Map<Integer, ByteBuffer> a = r.attrs(IFINFOMSG_LEN);
        int flags = r.u32(8);
        String kind = null;
        if (a.containsKey(IFLA_LINKINFO)) {
            ByteBuffer k = NlMsg.nested(a.get(IFLA_LINKINFO)).get(IFLA_INFO_KIND);
            kind = k == null ? null : NlMsg.string(k);
        }
        if (kind == null && (flags & IFF_LOOPBACK) != 0) {
            kind = "loopback";
        }
        return new Link(r.u32(4), a.containsKey(IFLA_IFNAME) ? NlMsg.string(a.get(IFLA_IFNAME)) : "",
                kind == null ? "unknown" : kind, flags,
                a.containsKey(IFLA_ADDRESS) ? NlMsg.bytes(a.get(IFLA_ADDRESS)) : new byte[0],
                a.containsKey(IFLA_LINK) ? NlMsg.u32(a.get(IFLA_LINK)) : 0);
    }

    /** RTM_GETLINK by name; ENODEV when there is none. */
    public Link link(String name) throws ErrnoException {
        List<NlMsg.Reply> r = exchangeGet(ifinfo(RTM_GETLINK, 0, 0, 0, 0).attrString(IFLA_IFNAME, name),
                "RTM_GETLINK " + name);
        return link(r.getFirst());
    }

    private List<NlMsg.Reply> exchangeGet(NlMsg m, String what) throws ErrnoException {
        List<NlMsg.Reply> r = exchange(m, what, false);
        if (r.isEmpty()) {
            throw new ErrnoException(what + ": the kernel sent no answer", 71);
        }
        return r;
    }

    /** RTM_GETLINK dump: every link of the namespace. */
    public List<Link> links() throws ErrnoException {
        NlMsg m = new NlMsg(RTM_GETLINK, NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_DUMP)
                .putU8(0).putU8(0).putU16(0).putU32(0).putU32(0).putU32(0);
        List<Link> out = new ArrayList<>();
        for (NlMsg.Reply r : dump(m, "RTM_GETLINK dump")) {
            if (r.type() == RTM_NEWLINK) {
                out.add(link(r));
            }
        }
        return out;
    }

    // ---- addresses ----

    private static byte[] ipv4(String ip) {
        try {
            InetAddress a = InetAddress.ofLiteral(ip);
            if (a instanceof Inet4Address) {
                return a.getAddress();
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + ip + "' is not an IPv4 address literal");
    }

    /** RTM_NEWADDR of an IPv4 address with IFA_LOCAL and IFA_ADDRESS. */
    public void addAddress(int ifindex, String ip, int prefixLen) throws ErrnoException {
        byte[] a = ipv4(ip);
        NlMsg m = new NlMsg(RTM_NEWADDR, NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_ACK | NlMsg.NLM_F_CREATE | NlMsg.NLM_F_EXCL)
                .putU8(AF_INET).putU8(prefixLen).putU8(0).putU8(0).putU32(ifindex)
                .attr(IFA_LOCAL, a).attr(IFA_ADDRESS, a);
        ack(m, "RTM_NEWADDR " + ip + "/" + prefixLen + " ifindex " + ifindex);
    }

    /** One IPv4 address of a link. */
    public record Address(int ifindex, String cidr) {
    }

    /** RTM_GETADDR dump of the IPv4 addresses. */
    public List<Address> addresses() throws ErrnoException {
        NlMsg m = new NlMsg(RTM_GETADDR, NlMsg.NLM_F_REQUEST | NlMsg.NLM_F_DUMP).putU8(AF_INET).putU8(0).putU8(0).putU8(0).putU32(0);
        List<Address> out = new ArrayList<>();
        for (NlMsg.Reply r : dump(m, "RTM_GETADDR dump")) {
            Map<Integer, ByteBuffer> a = r.attrs(IFADDRMSG_LEN);
            ByteBuffer local = a.getOrDefault(IFA_LOCAL, a.get(IFA_ADDRESS));
            if (local == null) {
                continue;
            }
            try {
                String ip = InetAddress.getByAddress(NlMsg.bytes(local)).getHostAddress();
                out.add(new Address(r.u32(4), ip + "/" + Byte.toUnsignedInt(r.payload().get(1))));
            } catch (UnknownHostException e) {
                throw new IllegalStateException("kernel sent an address of " + local.limit() + " bytes", e);
            }
        }
        return out;
    }

    // ---- tc ----

    private static NlMsg tcmsg(int type, int flags, int ifindex, int handle, int parent, int info) {
        return new NlMsg(type, NlMsg.NLM_F_REQUEST | flags)
                .putU8(0).putU8(0).putU16(0).putU32(ifindex).putU32(handle).putU32(parent).putU32(info);
    }

    /** {@code tc qdisc add dev X clsact}. */
    public void addClsact(int ifindex) throws ErrnoException {
        ack(tcmsg(RTM_NEWQDISC, NlMsg.NLM_F_ACK | NlMsg.NLM_F_CREATE | NlMsg.NLM_F_EXCL, ifindex, CLSACT_HANDLE,
                TC_H_CLSACT, 0).attrString(TCA_KIND, "clsact"), "RTM_NEWQDISC clsact ifindex " + ifindex);
    }

    /** {@code tc qdisc del dev X clsact}. */
    public void deleteClsact(int ifindex) throws ErrnoException {
        ack(tcmsg(RTM_DELQDISC, NlMsg.NLM_F_ACK, ifindex, CLSACT_HANDLE, TC_H_CLSACT, 0).attrString(TCA_KIND, "clsact"),
                "RTM_DELQDISC clsact ifindex " + ifindex);
    }

    /**
     * RTM_NEWTFILTER cls_bpf: {@code tcm_info} = prio << 16 | htons(ETH_P_ALL); options carry the
     * program fd, its name and the direct-action flag. Add uses NLM_F_EXCL; replace does not.
     */
    public void addBpfFilter(int ifindex, int parent, int prio, int handle, int progFd, String progName,
                             boolean directAction, boolean replace) throws ErrnoException {
        int flags = NlMsg.NLM_F_ACK | NlMsg.NLM_F_CREATE | (replace ? 0 : NlMsg.NLM_F_EXCL);
        NlMsg m = tcmsg(RTM_NEWTFILTER, flags, ifindex, handle, parent, (prio << 16) | ETH_P_ALL_BE)
                .attrString(TCA_KIND, "bpf")
                .nest(TCA_OPTIONS).attrU32(TCA_BPF_FD, progFd).attrString(TCA_BPF_NAME, progName)
                .attrU32(TCA_BPF_FLAGS, directAction ? TCA_BPF_FLAG_ACT_DIRECT : 0).endNest();
        ack(m, "RTM_NEWTFILTER bpf ifindex " + ifindex + " parent " + Integer.toHexString(parent) + " prio " + prio
                + " handle " + handle + (replace ? " (replace)" : ""));
    }

    /** RTM_DELTFILTER; handle 0 deletes the whole prio. */
    public void deleteFilter(int ifindex, int parent, int prio, int handle) throws ErrnoException {
        NlMsg m = tcmsg(RTM_DELTFILTER, NlMsg.NLM_F_ACK, ifindex, handle, parent, (prio << 16) | (prio == 0 ? 0 : ETH_P_ALL_BE));
        if (handle != 0) {
            m.attrString(TCA_KIND, "bpf");
        }
        ack(m, "RTM_DELTFILTER ifindex " + ifindex + " parent " + Integer.toHexString(parent) + " prio " + prio
                + " handle " + handle);
    }

    /** One cls_bpf filter from a dump. */
    public record Filter(int prio, int handle, String kind, int progId, String progName, boolean directAction) {
    }

    /** RTM_GETTFILTER dump of one parent, in the kernel's order (prio, then insertion). */
    public List<Filter> filters(int ifindex, int parent) throws ErrnoException {
        List<Filter> out = new ArrayList<>();
        NlMsg m = tcmsg(RTM_GETTFILTER, NlMsg.NLM_F_DUMP, ifindex, 0, parent, 0);
        for (NlMsg.Reply r : dump(m, "RTM_GETTFILTER dump ifindex " + ifindex + " parent " + Integer.toHexString(parent))) {
            int handle = r.u32(8);
            if (r.type() != RTM_NEWTFILTER || handle == 0) {
                continue; // the per-prio header message carries no filter
            }
            Map<Integer, ByteBuffer> a = r.attrs(TCMSG_LEN);
            String kind = a.containsKey(TCA_KIND) ? NlMsg.string(a.get(TCA_KIND)) : "";
            Map<Integer, ByteBuffer> opt = a.containsKey(TCA_OPTIONS) ? NlMsg.nested(a.get(TCA_OPTIONS)) : Map.of();
            int flags = opt.containsKey(TCA_BPF_FLAGS) ? NlMsg.u32(opt.get(TCA_BPF_FLAGS)) : 0;
            out.add(new Filter(r.u32(16) >>> 16, handle, kind,
                    opt.containsKey(TCA_BPF_ID) ? NlMsg.u32(opt.get(TCA_BPF_ID)) : 0,
                    opt.containsKey(TCA_BPF_NAME) ? NlMsg.string(opt.get(TCA_BPF_NAME)) : "",
                    (flags & TCA_BPF_FLAG_ACT_DIRECT) != 0));
        }
        return out;
    }
}
