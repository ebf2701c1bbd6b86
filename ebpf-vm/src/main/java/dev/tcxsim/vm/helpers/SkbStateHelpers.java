package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.RunState;

import static dev.tcxsim.vm.helpers.SkbHelpers.CHECKSUM_COMPLETE;
import static dev.tcxsim.vm.helpers.SkbHelpers.CHECKSUM_NONE;
import static dev.tcxsim.vm.helpers.SkbHelpers.CHECKSUM_UNNECESSARY;
import static dev.tcxsim.vm.helpers.SkbHelpers.EACCES;
import static dev.tcxsim.vm.helpers.SkbHelpers.EFAULT;
import static dev.tcxsim.vm.helpers.SkbHelpers.EINVAL;
import static dev.tcxsim.vm.helpers.SkbHelpers.ENOTSUPP;
import static dev.tcxsim.vm.helpers.SkbHelpers.ETH_P_IP;
import static dev.tcxsim.vm.helpers.SkbHelpers.ETH_P_IPV6;

/**
 * Helpers that read or set skb state without moving bytes: checksum state (bpf_csum_update,
 * bpf_csum_level), ECN (bpf_skb_ecn_set_ce), the flow hash (bpf_set_hash, bpf_set_hash_invalid,
 * bpf_get_hash_recalc), bpf_skb_load_bytes_relative, the clocks, and what depends on a socket or a
 * task the simulator does not have (bpf_get_socket_cookie, bpf_skb_cgroup_id, bpf_get_current_task).
 */
public final class SkbStateHelpers {
    public static final int GET_CURRENT_TASK = 35, CSUM_UPDATE = 40, SET_HASH_INVALID = 41, GET_SOCKET_COOKIE = 46,
            SET_HASH = 48, SKB_LOAD_BYTES_RELATIVE = 68, SKB_CGROUP_ID = 79, SKB_ECN_SET_CE = 97, JIFFIES64 = 118,
            KTIME_GET_BOOT_NS = 125, CSUM_LEVEL = 135, KTIME_GET_COARSE_NS = 160, SKB_SET_TSTAMP = 192;

    public static final int CSUM_LEVEL_QUERY = 0, CSUM_LEVEL_INC = 1, CSUM_LEVEL_DEC = 2, CSUM_LEVEL_RESET = 3;
    public static final int HDR_START_MAC = 0, HDR_START_NET = 1;
    private static final int SKB_MAX_CSUM_LEVEL = 3;

    /**
     * CONFIG_HZ of the kernel the simulator stands in for (250, as on the reference 6.18 machine); jiffies
     * start at INITIAL_JIFFIES, five minutes before the 32-bit wrap, like the kernel's.
     */
    public static final int HZ = 250;
    public static final long INITIAL_JIFFIES = (1L << 32) - 300L * HZ;

    private SkbStateHelpers() {
    }

    /** get_jiffies_64 for a monotonic clock reading of {@code nowNs} nanoseconds since boot. */
    public static long jiffies64(long nowNs) {
        return INITIAL_JIFFIES + Long.divideUnsigned(nowNs, 1_000_000_000L / HZ);
    }

    /** ktime_get_coarse_ns: the monotonic clock as of the last tick. */
    public static long coarseNs(long nowNs) {
        return nowNs - Long.remainderUnsigned(nowNs, 1_000_000_000L / HZ);
    }

    // ---- checksum state

    /** csum_add: 32-bit one's-complement addition (end-around carry). */
    static long csumAdd(long a, long b) {
        long s = (a & 0xffffffffL) + (b & 0xffffffffL);
        return (s + (s >>> 32)) & 0xffffffffL;
    }

    static long csumUpdate(SkBuff skb, long csum) {
        if (skb.ipSummed() != CHECKSUM_COMPLETE) {
            return -ENOTSUPP;
        }
        long sum = csumAdd(skb.csum(), csum);
        skb.setCsum((int) sum);
        return sum;
    }

    static long csumLevel(SkBuff skb, long level) {
        switch ((int) level == level ? (int) level : -1) {
            case CSUM_LEVEL_INC -> {
                if (skb.ipSummed() == CHECKSUM_UNNECESSARY) {
                    if (skb.csumLevel() < SKB_MAX_CSUM_LEVEL) {
                        skb.setCsumLevel(skb.csumLevel() + 1);
                    }
                } else if (skb.ipSummed() == CHECKSUM_NONE) {
                    skb.setIpSummed(CHECKSUM_UNNECESSARY);
                    skb.setCsumLevel(0);
                }
            }
            case CSUM_LEVEL_DEC -> {
                if (skb.ipSummed() == CHECKSUM_UNNECESSARY) {
                    if (skb.csumLevel() == 0) {
                        skb.setIpSummed(CHECKSUM_NONE);
                    } else {
                        skb.setCsumLevel(skb.csumLevel() - 1);
                    }
                }
            }
            case CSUM_LEVEL_RESET -> SkbHelpers.resetChecksumUnnecessary(skb);
            case CSUM_LEVEL_QUERY -> {
                return skb.ipSummed() == CHECKSUM_UNNECESSARY ? skb.csumLevel() : -EACCES;
            }
            default -> {
                return -EINVAL;
            }
        }
        return 0;
    }

    // ---- ECN

    /** INET_ECN_set_ce on the network header: 1 when the packet now carries CE, 0 when it is not ECN-capable (or not IP). */
    static long ecnSetCe(SkBuff skb) {
        int proto = SkbHelpers.isVlan(SkbHelpers.proto(skb)) ? innerVlanProto(skb) : SkbHelpers.proto(skb);
        int hlen = switch (proto) {
            case ETH_P_IP -> 20;
            case ETH_P_IPV6 -> 40;
            default -> -1;
        };
        int nh = skb.networkOffset();
        if (hlen < 0 || skb.len() < hlen || nh < 0 || nh + hlen > skb.len()) {
            return 0;
        }
        byte[] b = skb.buffer();
        int at = skb.dataOffset() + nh;
        if (proto == ETH_P_IP) {
            int tos = b[at + 1] & 0xff;
            int ecn = (tos + 1) & 3; // NOT_ECT -> 1, ECT_1 -> 2, ECT_0 -> 3, CE -> 0
            if ((ecn & 2) == 0) {
                return ecn == 0 ? 1 : 0;
            }
            int check = (b[at + 10] & 0xff) << 8 | (b[at + 11] & 0xff);
            int s = check + (0xfffb + ecn); // tos grows by 4 - ecn: subtract it in one's complement
            s = (s & 0xffff) + (s >>> 16);
            s = (s & 0xffff) + (s >>> 16);
            b[at + 10] = (byte) (s >>> 8);
            b[at + 11] = (byte) s;
            b[at + 1] = (byte) (tos | 3);
            return 1;
        }
        int dsfield = ((b[at] & 0x0f) << 4) | ((b[at + 1] & 0xf0) >>> 4);
        if ((dsfield & 3) == 0) {
            return 0;
        }
        long from = Memory.read(b, at, 4);
        b[at + 1] = (byte) (b[at + 1] | 0x30);
        if (skb.ipSummed() == CHECKSUM_COMPLETE) {
            // the first header word changed inside what skb->csum covers
            skb.setCsum((int) csumAdd(csumAdd(skb.csum(), ~from), Memory.read(b, at, 4)));
        }
        return 1;
    }

    /** skb_protocol(skb, true) for a packet whose VLAN tags sit in the payload: the ethertype behind them. */
    private static int innerVlanProto(SkBuff skb) {
        byte[] b = skb.buffer();
        int d = skb.dataOffset();
        int off = 12;
        int type = SkbHelpers.proto(skb);
        while (SkbHelpers.isVlan(type) && off + 8 <= skb.len()) {
            type = (b[d + off + 4] & 0xff) << 8 | (b[d + off + 5] & 0xff);
            off += 4;
        }
        return SkbHelpers.isVlan(type) ? 0 : type;
    }

    // ---- the flow hash

    static long setHash(SkBuff skb, long hash) {
        skb.setHash((int) hash);
        skb.setSwHash(true);
        skb.setL4Hash(true);
        return 0;
    }

    static long setHashInvalid(SkBuff skb) {
        SkbHelpers.clearHash(skb);
        return 0;
    }

    /**
     * skb_get_hash: a hash a program or the stack set stays; otherwise one is computed from the
     * headers. The kernel's flow hash is keyed with a boot-time random value, so the numbers differ
     * from a real machine's; like the kernel's it is never 0 and equal headers give equal hashes.
     */
    static long getHashRecalc(SkBuff skb) {
        if (!skb.l4Hash() && !skb.swHash()) {
            byte[] d = skb.data();
            int h = 0x9747b28c;
            for (int i = 12; i < Math.min(d.length, 54); i++) {
                h = Integer.rotateLeft(h ^ (d[i] & 0xff), 5) * 0x01000193;
            }
            skb.setHash(h == 0 ? 1 : h);
            skb.setSwHash(true);
        }
        return skb.hash() & 0xffffffffL;
    }

    // ---- bpf_skb_set_tstamp

    /** BPF_SKB_CLOCK_REALTIME, _MONOTONIC, _TAI: the clock a timestamp is on (skb->tstamp_type). */
    public static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_TAI = 2;
    private static final int EOPNOTSUPP = 95;

    static long setTstamp(SkBuff skb, long tstamp, long typeArg) {
        int proto = SkbHelpers.proto(skb);
        if (proto != ETH_P_IP && proto != ETH_P_IPV6) {
            return -EOPNOTSUPP;
        }
        long type = typeArg & 0xffffffffL;
        if (type > CLOCK_TAI || (type != CLOCK_REALTIME && tstamp == 0)) {
            return -EINVAL;
        }
        skb.setTstamp(tstamp);
        skb.setTstampType((int) type);
        return 0;
    }

    // ---- bpf_skb_load_bytes_relative

    static long loadBytesRelative(RunState st, long offset, long to, long len, long startHeader, int pc) {
        if (len <= 0 || len > 0xffff) {
            throw new BpfFault(pc, "skb_load_bytes_relative(68): size " + len
                    + " is not a positive constant the verifier accepts");
        }
        SkBuff skb = st.skb;
        byte[] out = new byte[(int) len];
        long rc = -EFAULT;
        long off = offset & 0xffffffffL;
        long start = switch ((int) startHeader == startHeader ? (int) startHeader : -1) {
            case HDR_START_MAC -> 0;
            case HDR_START_NET -> skb.networkOffset();
            default -> -1;
        };
        if (off <= 0xffff && start >= 0 && start + off + len <= skb.len()) {
            System.arraycopy(skb.buffer(), skb.dataOffset() + (int) (start + off), out, 0, (int) len);
            rc = 0;
        }
        Memory.writeBytes(st, to, out, pc, "skb_load_bytes_relative destination"); // zeroes on failure, as the kernel
        return rc;
    }

    // ---- what needs a socket or a task

    /**
     * bpf_get_socket_cookie and bpf_skb_cgroup_id: 0, the kernel's answer for a packet without a
     * socket (a frame from the wire). BPF_PROG_TEST_RUN gives its packet a dummy socket, so there
     * the kernel answers that socket's cookie and the cgroup of the calling task instead.
     */
    static long noSocket() {
        return 0;
    }
}
