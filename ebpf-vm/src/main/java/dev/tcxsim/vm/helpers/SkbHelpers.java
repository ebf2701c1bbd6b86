package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.ctx.SkBuff;

/**
 * The helpers that change the packet's size or layout, as net/core/filter.c (Linux 6.18) does them
 * for tc programs: bpf_skb_change_tail/_head, bpf_skb_pull_data, bpf_skb_adjust_room,
 * bpf_skb_change_proto and bpf_skb_vlan_push/_pop, with the kernel's checks in the kernel's order and
 * its negative errno in r0.
 *
 * <p><b>Packet pointers after these helpers.</b> The kernel's verifier forgets every packet pointer
 * a program holds when it calls one of them (clear_all_pkt_pointers), so a program must reload
 * data/data_end. The simulator's verifier is structural and cannot see such a use: a stale pointer
 * keeps its old buffer offset, and {@code Memory} checks it against the new data_meta..data_end. An
 * access that falls outside the new packet faults; one that falls inside reads or writes whatever
 * byte now sits there (the packet may also have moved to a new buffer). Programs the kernel accepts
 * never do this.
 */
public final class SkbHelpers {
    public static final int SKB_VLAN_PUSH = 18, SKB_VLAN_POP = 19, SKB_CHANGE_PROTO = 31,
            SKB_CHANGE_TYPE = 32, SKB_CHANGE_TAIL = 38, SKB_PULL_DATA = 39, SKB_CHANGE_HEAD = 43, SKB_ADJUST_ROOM = 50;

    /** BPF_SKB_MAX_LEN = SKB_MAX_ALLOC on x86-64: four pages less the aligned skb_shared_info (320 bytes). */
    public static final int SKB_MAX_LEN = 16384 - 320;
    /** The largest buffer the kernel's kmalloc hands out (order-10 pages); a bigger skb head cannot be allocated. */
    static final long KMALLOC_MAX_SIZE = 4L << 20;

    public static final long ADJ_ROOM_FIXED_GSO = 1, ADJ_ROOM_ENCAP_L3_IPV4 = 1 << 1, ADJ_ROOM_ENCAP_L3_IPV6 = 1 << 2,
            ADJ_ROOM_ENCAP_L4_GRE = 1 << 3, ADJ_ROOM_ENCAP_L4_UDP = 1 << 4, ADJ_ROOM_NO_CSUM_RESET = 1 << 5,
            ADJ_ROOM_ENCAP_L2_ETH = 1 << 6, ADJ_ROOM_DECAP_L3_IPV4 = 1 << 7, ADJ_ROOM_DECAP_L3_IPV6 = 1 << 8;
    private static final long ADJ_ROOM_ENCAP_L3 = ADJ_ROOM_ENCAP_L3_IPV4 | ADJ_ROOM_ENCAP_L3_IPV6;
    private static final long ADJ_ROOM_DECAP_L3 = ADJ_ROOM_DECAP_L3_IPV4 | ADJ_ROOM_DECAP_L3_IPV6;
    private static final int ADJ_ROOM_ENCAP_L2_SHIFT = 56;
    private static final long ADJ_ROOM_MASK = ADJ_ROOM_FIXED_GSO | ADJ_ROOM_ENCAP_L3 | ADJ_ROOM_ENCAP_L4_GRE
            | ADJ_ROOM_ENCAP_L4_UDP | ADJ_ROOM_ENCAP_L2_ETH | 0xffL << ADJ_ROOM_ENCAP_L2_SHIFT | ADJ_ROOM_DECAP_L3;
    public static final int ADJ_ROOM_NET = 0, ADJ_ROOM_MAC = 1;

    /** SKB_GSO_* bits of skb_shinfo(skb)->gso_type that these helpers test or set. */
    public static final int GSO_TCPV4 = 1, GSO_DODGY = 1 << 1, GSO_TCPV6 = 1 << 4, GSO_GRE = 1 << 6,
            GSO_IPXIP4 = 1 << 8, GSO_IPXIP6 = 1 << 9, GSO_UDP_TUNNEL = 1 << 10, GSO_UDP_L4 = 1 << 17;

    public static final int ETH_P_IP = 0x0800, ETH_P_IPV6 = 0x86dd, ETH_P_8021Q = 0x8100, ETH_P_8021AD = 0x88a8;
    static final int IPV4_HLEN = 20, IPV6_HLEN = 40, VLAN_HLEN = 4, ETH_ALEN = 6;
    /** CHECKSUM_NONE .. CHECKSUM_PARTIAL, skb->ip_summed. */
    public static final int CHECKSUM_NONE = 0, CHECKSUM_UNNECESSARY = 1, CHECKSUM_COMPLETE = 2, CHECKSUM_PARTIAL = 3;

    static final int ENOENT = 2, ENOMEM = 12, EACCES = 13, EFAULT = 14, ENODEV = 19,
            EINVAL = 22, EPROTO = 71, EBADMSG = 74, EALREADY = 114, ENOTSUPP = 524;

    private SkbHelpers() {
    }

    // ---- protocol in host order (SkBuff keeps __sk_buff's network-order view)

    /** skb->protocol as a host-order ethertype. */
    static int proto(SkBuff skb) {
        return Short.reverseBytes((short) skb.protocol()) & 0xffff;
    }

    static void setProto(SkBuff skb, int ethType) {
        skb.setProtocol(Short.reverseBytes((short) ethType) & 0xffff);
    }

    static boolean isVlan(int ethType) {
        return ethType == ETH_P_8021Q || ethType == ETH_P_8021AD;
    }

    static void clearHash(SkBuff skb) {
        skb.setHash(0);
        skb.setSwHash(false);
        skb.setL4Hash(false);
    }

    static void resetChecksumUnnecessary(SkBuff skb) {
        if (skb.ipSummed() == CHECKSUM_UNNECESSARY) {
            skb.setIpSummed(CHECKSUM_NONE);
            skb.setCsumLevel(0);
        }
    }

    private static boolean isGso(SkBuff skb) {
        return skb.gsoSize() != 0;
    }

    private static void gsoReset(SkBuff skb) {
        skb.setGsoSize(0);
        skb.setGsoSegs(0);
        skb.setGsoType(0);
    }

    // ---- bpf_skb_change_tail, bpf_skb_change_head, bpf_skb_pull_data

    /** __bpf_skb_min_len: the packet may not shrink into its network (or, when set, transport) header. */
    private static int minLen(SkBuff skb) {
        int min = Math.max(0, skb.networkOffset());
        if (skb.transportOffset() >= 0) {
            min = Math.max(0, skb.transportOffset());
        }
        return min;
    }

    static long changeTail(SkBuff skb, long newLenArg, long flags) {
        long newLen = newLenArg & 0xffffffffL;
        if (flags != 0 || newLen > SKB_MAX_LEN || newLen < minLen(skb)) {
            return -EINVAL;
        }
        if (skb.encapsulation()) {
            return -ENOTSUPP;
        }
        if (newLen < skb.len() && skb.ipSummed() == CHECKSUM_COMPLETE) {
            skb.setIpSummed(CHECKSUM_NONE); // __skb_trim_rcsum gives up the complete checksum
        }
        skb.setLen((int) newLen);
        if (isGso(skb)) {
            gsoReset(skb);
        }
        return 0;
    }

    static long changeHead(SkBuff skb, long headRoomArg, long flags) {
        long headRoom = headRoomArg & 0xffffffffL;
        long newLen = (skb.len() + headRoom) & 0xffffffffL;
        if (flags != 0 || (!isGso(skb) && newLen > SKB_MAX_LEN) || newLen < skb.len()) {
            return -EINVAL;
        }
        if (skb.len() + headRoom + 320 > KMALLOC_MAX_SIZE) {
            return -ENOMEM; // skb_cow cannot allocate that much (only reachable for GSO packets)
        }
        int n = (int) headRoom;
        skb.insertBytes(0, n);
        // only the mac header moves to the new front: network and transport headers stay where they were
        skb.setNetworkOffset(skb.networkOffset() + n);
        if (skb.transportOffset() >= 0) {
            skb.setTransportOffset(skb.transportOffset() + n);
        }
        return 0;
    }

    /** bpf_skb_pull_data: the simulator's packets are linear, so only a length past the end fails (pskb_may_pull). */
    static long pullData(SkBuff skb, long lenArg) {
        long len = lenArg & 0xffffffffL;
        return len > skb.len() ? -ENOMEM : 0;
    }

    /**
     * skb_postpull_rcsum: a CHECKSUM_COMPLETE packet's skb->csum loses the {@code n} bytes at
     * {@code off} that are about to go (summed as if they started on an even byte, as the kernel does).
     */
    static void postpullRcsum(SkBuff skb, int off, int n) {
        if (skb.ipSummed() == CHECKSUM_COMPLETE) {
            byte[] gone = java.util.Arrays.copyOfRange(skb.buffer(), skb.dataOffset() + off, skb.dataOffset() + off + n);
            skb.setCsum((int) ~Csum.partial(gone, ~skb.csum() & 0xffffffffL));
        }
    }

    /** skb_postpush_rcsum: skb->csum gains the {@code n} bytes now at {@code off}. */
    static void postpushRcsum(SkBuff skb, int off, int n) {
        if (skb.ipSummed() == CHECKSUM_COMPLETE) {
            byte[] added = java.util.Arrays.copyOfRange(skb.buffer(), skb.dataOffset() + off, skb.dataOffset() + off + n);
            skb.setCsum((int) Csum.partial(added, skb.csum() & 0xffffffffL));
        }
    }

    // ---- bpf_skb_change_proto

    /** bpf_skb_net_hdr_push: {@code n} zero bytes at {@code off}; mac and network header move with the front. */
    private static void netHdrPush(SkBuff skb, int off, int n) {
        boolean transSame = skb.transportOffset() == skb.networkOffset();
        skb.insertBytes(off, n);
        if (transSame) {
            skb.setTransportOffset(skb.networkOffset());
        } else if (skb.transportOffset() >= 0) {
            skb.setTransportOffset(skb.transportOffset() + n);
        }
    }

    /** bpf_skb_net_hdr_pop: removes {@code n} bytes at {@code off}, or -ENOMEM when the packet is shorter than off + n. */
    private static int netHdrPop(SkBuff skb, int off, int n) {
        if ((long) off + n > skb.len()) {
            return -ENOMEM;
        }
        boolean transSame = skb.transportOffset() == skb.networkOffset();
        postpullRcsum(skb, off, n);
        skb.removeBytes(off, n);
        if (transSame) {
            skb.setTransportOffset(skb.networkOffset());
        } else if (skb.transportOffset() >= 0) {
            skb.setTransportOffset(skb.transportOffset() - n);
        }
        return 0;
    }

    static long changeProto(SkBuff skb, long protoArg, long flags) {
        if (flags != 0) {
            return -EINVAL;
        }
        int to = Short.reverseBytes((short) protoArg) & 0xffff; // the argument is __be16
        int from = proto(skb);
        int diff = IPV6_HLEN - IPV4_HLEN;
        int off = skb.networkOffset();
        if (from == ETH_P_IP && to == ETH_P_IPV6) {
            netHdrPush(skb, off, diff);
            gsoSwap(skb, GSO_TCPV4, GSO_TCPV6);
            setProto(skb, ETH_P_IPV6);
        } else if (from == ETH_P_IPV6 && to == ETH_P_IP) {
            int rc = netHdrPop(skb, off, diff);
            if (rc != 0) {
                return rc;
            }
            gsoSwap(skb, GSO_TCPV6, GSO_TCPV4);
            setProto(skb, ETH_P_IP);
        } else {
            return -ENOTSUPP;
        }
        clearHash(skb);
        return 0;
    }

    private static void gsoSwap(SkBuff skb, int fromBit, int toBit) {
        if (isGso(skb)) {
            int t = skb.gsoType();
            if ((t & fromBit) != 0) {
                t = (t & ~fromBit) | toBit;
            }
            skb.setGsoType(t | GSO_DODGY);
        }
    }

    // ---- bpf_skb_adjust_room

    private static int netBaseLen(int ethType) {
        return switch (ethType) {
            case ETH_P_IP -> IPV4_HLEN;
            case ETH_P_IPV6 -> IPV6_HLEN;
            default -> -1;
        };
    }

    static long adjustRoom(SkBuff skb, long lenDiffArg, long modeArg, long flags) {
        int lenDiff = (int) lenDiffArg;
        long abs = Math.abs((long) lenDiff);
        boolean shrink = lenDiff < 0;
        int ethType = proto(skb);
        if ((flags & ~(ADJ_ROOM_MASK | ADJ_ROOM_NO_CSUM_RESET)) != 0) {
            return -EINVAL;
        }
        if (abs > 0xfff) {
            return -EFAULT;
        }
        if (ethType != ETH_P_IP && ethType != ETH_P_IPV6) {
            return -ENOTSUPP;
        }
        int lenMin = netBaseLen(ethType);
        int off = skb.networkOffset();
        switch ((int) modeArg) {
            case ADJ_ROOM_NET -> off += lenMin;
            case ADJ_ROOM_MAC -> { }
            default -> {
                return -ENOTSUPP;
            }
        }
        if ((flags & ADJ_ROOM_DECAP_L3) != 0) {
            if (!shrink) {
                return -EINVAL;
            }
            long decap = flags & ADJ_ROOM_DECAP_L3;
            if (decap == ADJ_ROOM_DECAP_L3_IPV4) {
                lenMin = IPV4_HLEN;
            } else if (decap == ADJ_ROOM_DECAP_L3_IPV6) {
                lenMin = IPV6_HLEN;
            } else {
                return -EINVAL;
            }
        }
        long lenCur = skb.len() - skb.networkOffset();
        if ((shrink && (abs >= lenCur || lenCur - abs < lenMin))
                || (!shrink && skb.len() + abs > SKB_MAX_LEN && !isGso(skb))) {
            return -ENOTSUPP;
        }
        long rc = shrink ? netShrink(skb, off, (int) abs, flags) : netGrow(skb, off, (int) abs, flags);
        if (rc == 0 && (flags & ADJ_ROOM_NO_CSUM_RESET) == 0) {
            resetChecksumUnnecessary(skb);
        }
        return rc;
    }

    private static boolean gsoNotTcp(SkBuff skb, long flags) {
        if (isGso(skb) && (skb.gsoType() & (GSO_TCPV4 | GSO_TCPV6)) == 0) {
            // udp gso_size delineates datagrams: only a fixed-gso change is allowed
            return (skb.gsoType() & GSO_UDP_L4) == 0 || (flags & ADJ_ROOM_FIXED_GSO) == 0;
        }
        return false;
    }

    private static long netGrow(SkBuff skb, int off, int lenDiff, long flags) {
        int innerMacLen = (int) (flags >>> ADJ_ROOM_ENCAP_L2_SHIFT) & 0xff;
        boolean encap = (flags & ADJ_ROOM_ENCAP_L3) != 0;
        if (gsoNotTcp(skb, flags)) {
            return -ENOTSUPP;
        }
        int macLen = 0;
        if (encap) {
            if ((flags & ADJ_ROOM_ENCAP_L3) == ADJ_ROOM_ENCAP_L3) {
                return -EINVAL;
            }
            if ((flags & ADJ_ROOM_ENCAP_L4_GRE) != 0 && (flags & ADJ_ROOM_ENCAP_L4_UDP) != 0) {
                return -EINVAL;
            }
            if ((flags & ADJ_ROOM_ENCAP_L2_ETH) != 0 && innerMacLen < SkBuff.ETH_HLEN) {
                return -EINVAL;
            }
            if (skb.encapsulation()) {
                return -EALREADY;
            }
            macLen = skb.networkOffset();
            if (innerMacLen > lenDiff) {
                return -EINVAL;
            }
        }
        netHdrPush(skb, off, lenDiff);
        int gsoType = GSO_DODGY;
        if (encap) {
            skb.setEncapsulation(true);
            skb.setNetworkOffset(macLen);
            if ((flags & ADJ_ROOM_ENCAP_L4_UDP) != 0) {
                gsoType |= GSO_UDP_TUNNEL;
            } else if ((flags & ADJ_ROOM_ENCAP_L4_GRE) != 0) {
                gsoType |= GSO_GRE;
            } else if ((flags & ADJ_ROOM_ENCAP_L3_IPV6) != 0) {
                gsoType |= GSO_IPXIP6;
            } else {
                gsoType |= GSO_IPXIP4;
            }
            if ((flags & (ADJ_ROOM_ENCAP_L4_GRE | ADJ_ROOM_ENCAP_L4_UDP)) != 0) {
                skb.setTransportOffset(macLen + ((flags & ADJ_ROOM_ENCAP_L3_IPV6) != 0 ? IPV6_HLEN : IPV4_HLEN));
            }
            int ethType = proto(skb);
            if (ethType == ETH_P_IP && (flags & ADJ_ROOM_ENCAP_L3_IPV6) != 0) {
                setProto(skb, ETH_P_IPV6);
            } else if (ethType == ETH_P_IPV6 && (flags & ADJ_ROOM_ENCAP_L3_IPV4) != 0) {
                setProto(skb, ETH_P_IP);
            }
        }
        if (isGso(skb)) {
            skb.setGsoType(skb.gsoType() | gsoType);
            skb.setGsoSegs(0);
            if ((flags & ADJ_ROOM_FIXED_GSO) == 0) {
                skb.setGsoSize(skb.gsoSize() - lenDiff);
            }
        }
        return 0;
    }

    private static long netShrink(SkBuff skb, int off, int lenDiff, long flags) {
        if ((flags & ~(ADJ_ROOM_FIXED_GSO | ADJ_ROOM_DECAP_L3 | ADJ_ROOM_NO_CSUM_RESET)) != 0) {
            return -EINVAL;
        }
        if (gsoNotTcp(skb, flags)) {
            return -ENOTSUPP;
        }
        int rc = netHdrPop(skb, off, lenDiff);
        if (rc != 0) {
            return rc;
        }
        int ethType = proto(skb);
        if (ethType == ETH_P_IP && (flags & ADJ_ROOM_DECAP_L3_IPV6) != 0) {
            setProto(skb, ETH_P_IPV6);
        } else if (ethType == ETH_P_IPV6 && (flags & ADJ_ROOM_DECAP_L3_IPV4) != 0) {
            setProto(skb, ETH_P_IP);
        }
        if (isGso(skb)) {
            if ((flags & ADJ_ROOM_FIXED_GSO) == 0) {
                skb.setGsoSize(skb.gsoSize() + lenDiff);
            }
            skb.setGsoType(skb.gsoType() | GSO_DODGY);
            skb.setGsoSegs(0);
        }
        return 0;
    }

    // ---- bpf_skb_vlan_push, bpf_skb_vlan_pop

    static long vlanPush(SkBuff skb, long vlanProtoArg, long tciArg) {
        int vlanProto = (int) vlanProtoArg & 0xffff; // __be16 as the program passed it
        int hostProto = Short.reverseBytes((short) vlanProto) & 0xffff;
        if (!isVlan(hostProto)) {
            vlanProto = Short.reverseBytes((short) ETH_P_8021Q) & 0xffff;
        }
        if (skb.vlanPresent() != 0) {
            // the tag already offloaded goes into the payload, behind the MAC addresses
            skb.insertBytes(2 * ETH_ALEN, VLAN_HLEN);
            byte[] b = skb.buffer();
            int at = skb.dataOffset() + 2 * ETH_ALEN;
            int oldProto = skb.vlanProto();
            b[at] = (byte) oldProto;
            b[at + 1] = (byte) (oldProto >>> 8);
            b[at + 2] = (byte) (skb.vlanTci() >>> 8);
            b[at + 3] = (byte) skb.vlanTci();
            postpushRcsum(skb, 2 * ETH_ALEN, VLAN_HLEN);
            skb.setProtocol(oldProto);
            if (skb.transportOffset() >= 0) {
                skb.setTransportOffset(skb.transportOffset() + VLAN_HLEN);
            }
        }
        setHwaccelTag(skb, vlanProto, (int) tciArg & 0xffff);
        return 0;
    }

    private static void setHwaccelTag(SkBuff skb, int vlanProtoBe, int tci) {
        skb.setVlanProto(vlanProtoBe);
        skb.setVlanTci(tci);
        skb.setVlanPresent(vlanProtoBe != 0 || tci != 0 ? 1 : 0);
    }

    static long vlanPop(SkBuff skb) {
        if (skb.vlanPresent() != 0) {
            setHwaccelTag(skb, 0, 0);
        } else {
            if (!isVlan(proto(skb))) {
                return 0;
            }
            int rc = payloadVlanPop(skb);
            if (rc < 0) {
                return rc;
            }
        }
        // a second tag in the payload becomes the offloaded tag
        if (!isVlan(proto(skb))) {
            return 0;
        }
        int vlanProto = skb.protocol();
        int rc = payloadVlanPop(skb);
        if (rc < 0) {
            return rc;
        }
        setHwaccelTag(skb, vlanProto, rc);
        return 0;
    }

    /** __skb_vlan_pop: removes the tag behind the MAC addresses; returns its TCI or -ENOMEM for a packet too short. */
    private static int payloadVlanPop(SkBuff skb) {
        if (skb.len() < SkBuff.ETH_HLEN + VLAN_HLEN) {
            return -ENOMEM;
        }
        byte[] b = skb.buffer();
        int d = skb.dataOffset();
        int tci = (b[d + 14] & 0xff) << 8 | (b[d + 15] & 0xff);
        int inner = (b[d + 16] & 0xff) << 8 | (b[d + 17] & 0xff);
        if (inner >= 0x600) {
            setProto(skb, inner);
        } else {
            // vlan_set_encap_proto looks at the first two bytes at skb->data for the raw 802.3 marker
            boolean raw8023 = (b[d] & 0xff) == 0xff && (b[d + 1] & 0xff) == 0xff;
            setProto(skb, raw8023 ? 0x0001 : 0x0004);
        }
        postpullRcsum(skb, 2 * ETH_ALEN, VLAN_HLEN);
        skb.removeBytes(2 * ETH_ALEN, VLAN_HLEN);
        skb.setNetworkOffset(Math.max(skb.networkOffset() - VLAN_HLEN, SkBuff.ETH_HLEN));
        if (skb.transportOffset() >= 0) {
            skb.setTransportOffset(skb.transportOffset() - VLAN_HLEN);
        }
        return tci;
    }

    // ---- bpf_skb_change_type

    static long changeType(SkBuff skb, long type) {
        long t = type & 0xffffffffL;
        if (skb.pktType() > 3 || t > 3) {
            return -EINVAL;
        }
        skb.setPktType((int) t);
        return 0;
    }
}
