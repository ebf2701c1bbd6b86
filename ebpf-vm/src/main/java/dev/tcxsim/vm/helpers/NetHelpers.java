package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.RunState;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.tcxsim.vm.helpers.SkbHelpers.EBADMSG;
import static dev.tcxsim.vm.helpers.SkbHelpers.EINVAL;
import static dev.tcxsim.vm.helpers.SkbHelpers.ENODEV;

/**
 * The helpers that ask about devices and routes: bpf_check_mtu, bpf_clone_redirect and
 * bpf_fib_lookup. Devices and routes are the caller's ({@link RunEnv#device}, {@link RunEnv#cloneRedirect},
 * {@link RunEnv#fibLookup}); the checks on the arguments are the kernel's.
 */
public final class NetHelpers {
    public static final int CLONE_REDIRECT = 13, FIB_LOOKUP = 69, CHECK_MTU = 163;
    public static final long MTU_CHK_SEGS = 1;
    public static final int MTU_CHK_RET_SUCCESS = 0, MTU_CHK_RET_FRAG_NEEDED = 1, MTU_CHK_RET_SEGS_TOOBIG = 2;
    /** sizeof(struct bpf_fib_lookup). */
    public static final int FIB_PARAMS_SIZE = 64;
    public static final long FIB_LOOKUP_DIRECT = 1, FIB_LOOKUP_OUTPUT = 2, FIB_LOOKUP_SKIP_NEIGH = 4,
            FIB_LOOKUP_TBID = 8, FIB_LOOKUP_SRC = 16, FIB_LOOKUP_MARK = 32;
    private static final long FIB_LOOKUP_MASK = 63;
    public static final int FIB_LKUP_RET_SUCCESS = 0, FIB_LKUP_RET_BLACKHOLE = 1, FIB_LKUP_RET_UNREACHABLE = 2,
            FIB_LKUP_RET_PROHIBIT = 3, FIB_LKUP_RET_NOT_FWDED = 4, FIB_LKUP_RET_FWD_DISABLED = 5,
            FIB_LKUP_RET_UNSUPP_LWT = 6, FIB_LKUP_RET_NO_NEIGH = 7, FIB_LKUP_RET_FRAG_NEEDED = 8,
            FIB_LKUP_RET_NO_SRC_ADDR = 9;
    public static final int AF_INET = 2, AF_INET6 = 10;
    private static final int EAFNOSUPPORT = 97;

    private NetHelpers() {
    }

    /** The device the packet is on (skb->dev), as the environment knows it. */
    private static NetDevice skbDevice(RunState st) {
        return st.env.device(st.skb.ifindex());
    }

    static long checkMtu(RunState st, long ifindexArg, long mtuLenPtr, long lenDiffArg, long flags, int pc) {
        long mtuLen = Memory.read(Memory.readBytes(st, mtuLenPtr, 4, pc, "check_mtu mtu_len"), 0, 4);
        int lenDiff = (int) lenDiffArg;
        if ((flags & ~MTU_CHK_SEGS) != 0 || ((flags & MTU_CHK_SEGS) != 0 && (lenDiff != 0 || mtuLen != 0))) {
            return -EINVAL;
        }
        int ifindex = (int) ifindexArg;
        NetDevice dev = ifindex == 0 ? skbDevice(st) : st.env.device(ifindex);
        if (dev == null) {
            return -ENODEV;
        }
        SkBuff skb = st.skb;
        long devLen = (long) dev.mtu() + dev.hardHeaderLen();
        long skbLen = (mtuLen != 0 ? mtuLen + dev.hardHeaderLen() : skb.len()) + lenDiff;
        int rc = MTU_CHK_RET_FRAG_NEEDED;
        if (skbLen <= devLen) {
            rc = MTU_CHK_RET_SUCCESS;
        } else if (skb.gsoSize() != 0) {
            // a GSO packet is cut into segments on transmit: only its segments can be too big
            rc = MTU_CHK_RET_SUCCESS;
            if ((flags & MTU_CHK_SEGS) != 0) {
                if (skb.transportOffset() < 0) {
                    return -EINVAL;
                }
                long segLen = (long) skb.transportOffset() - skb.networkOffset() + skb.gsoSize();
                if (segLen > dev.mtu()) {
                    rc = MTU_CHK_RET_SEGS_TOOBIG;
                }
            }
        }
        byte[] out = new byte[4];
        Memory.write(out, 0, 4, dev.mtu());
        Memory.writeBytes(st, mtuLenPtr, out, pc, "check_mtu mtu_len");
        return rc;
    }

    static long cloneRedirect(RunState st, long ifindexArg, long flags) {
        if ((flags & ~Helpers.BPF_F_INGRESS) != 0) {
            return -EINVAL;
        }
        SkBuff skb = st.skb;
        if (skb.gsoSize() != 0 && skb.gsoType() == 0) {
            return -EBADMSG; // a type-less GSO packet (BPF_PROG_TEST_RUN can make one) must not leave
        }
        int ifindex = (int) ifindexArg;
        if (st.env.device(ifindex) == null) {
            return -EINVAL;
        }
        return st.env.cloneRedirect(ifindex, (flags & Helpers.BPF_F_INGRESS) != 0, skb.data());
    }

    static long fibLookup(RunState st, long params, long plen, long flags, int pc) {
        int len = (int) Math.max(0, Math.min(plen, 1 << 16));
        Memory.readBytes(st, params, len, pc, "fib_lookup params"); // the verifier checks the whole plen
        if ((int) plen < FIB_PARAMS_SIZE || (flags & 0xffffffffL & ~FIB_LOOKUP_MASK) != 0) {
            return -EINVAL;
        }
        byte[] p = Memory.readBytes(st, params, FIB_PARAMS_SIZE, pc, "fib_lookup params");
        int family = p[0] & 0xff;
        if (family != AF_INET && family != AF_INET6) {
            return -EAFNOSUPPORT;
        }
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        if (family == AF_INET6 && (needsStrict(p, 16) || needsStrict(p, 32))) {
            return FIB_LKUP_RET_NOT_FWDED; // link-local, multicast and loopback addresses are never forwarded
        }
        if (st.env.device(b.getInt(8)) == null) {
            return -ENODEV;
        }
        boolean totLenGiven = b.getShort(6) != 0;
        int rc = st.env.fibLookup(p, (int) flags);
        if (rc == FIB_LKUP_RET_SUCCESS && !totLenGiven) {
            // without tot_len the packet itself is checked against the MTU of the device the route leaves by
            NetDevice out = st.env.device(b.getInt(8));
            if (out == null) {
                throw new IllegalStateException("RunEnv.fibLookup answered success with ifindex " + b.getInt(8)
                        + ", which RunEnv.device does not know");
            }
            if (st.skb.len() > (long) out.mtu() + out.hardHeaderLen() + SkbHelpers.VLAN_HLEN) {
                rc = FIB_LKUP_RET_FRAG_NEEDED;
            }
            b.putShort(6, (short) out.mtu());
        }
        Memory.writeBytes(st, params, p, pc, "fib_lookup params");
        return rc;
    }

    /** rt6_need_strict: the IPv6 address at {@code off} is multicast, link-local or the loopback address. */
    private static boolean needsStrict(byte[] p, int off) {
        int b0 = p[off] & 0xff;
        if (b0 == 0xff || (b0 == 0xfe && (p[off + 1] & 0xc0) == 0x80)) {
            return true;
        }
        for (int i = 0; i < 15; i++) {
            if (p[off + i] != 0) {
                return false;
            }
        }
        return p[off + 15] == 1;
    }
}
