package dev.tcxsim.vm.ctx;

import java.util.Arrays;

/**
 * The tunnel metadata of a packet (the kernel's {@code struct ip_tunnel_info} in a metadata dst),
 * as bpf_skb_set_tunnel_key and bpf_skb_set_tunnel_opt leave it. Addresses are kept as the kernel
 * keeps them: {@code src} and {@code dst} in network byte order, 4 bytes for IPv4 and 16 for IPv6.
 * For a transmit key (what a program sets) dst is the remote end.
 *
 * @param tx      IP_TUNNEL_INFO_TX: the key describes the outer header to build
 * @param ipv6    IP_TUNNEL_INFO_IPV6
 * @param tunId   the tunnel id (VNI, GRE key) as a host-order number
 * @param flags   the IP_TUNNEL_*_BIT flags as a bit set (bit 0 = CSUM, 2 = KEY, ...)
 * @param label   the IPv6 flow label (20 bits)
 * @param options tunnel options (Geneve/VXLAN-GBP/ERSPAN), empty when none
 */
public record TunnelInfo(boolean tx, boolean ipv6, long tunId, int tos, int ttl, long flags, byte[] src, byte[] dst,
                         int label, byte[] options) {
    public static final int CSUM_BIT = 0, KEY_BIT = 2, SEQ_BIT = 3, DONT_FRAGMENT_BIT = 8, GENEVE_OPT_BIT = 11,
            VXLAN_OPT_BIT = 12, NOCACHE_BIT = 13, ERSPAN_OPT_BIT = 14, GTP_OPT_BIT = 15, PFCP_OPT_BIT = 16;
    /** The bits ip_tunnel_set_options_present sets: "some kind of options are present". */
    public static final long OPTIONS_PRESENT = 1L << GENEVE_OPT_BIT | 1L << VXLAN_OPT_BIT | 1L << ERSPAN_OPT_BIT
            | 1L << GTP_OPT_BIT | 1L << PFCP_OPT_BIT;
    /** IP_TUNNEL_OPTS_MAX: the most option bytes a tunnel key carries (options_len is a u8). */
    public static final int OPTS_MAX = 255;

    public TunnelInfo {
        src = src.clone();
        dst = dst.clone();
        options = options.clone();
        int want = ipv6 ? 16 : 4;
        if (src.length != want || dst.length != want) {
            throw new IllegalArgumentException("tunnel addresses must be " + want + " bytes for "
                    + (ipv6 ? "IPv6" : "IPv4") + ", got " + src.length + " and " + dst.length);
        }
        if (options.length > OPTS_MAX) {
            throw new IllegalArgumentException("tunnel options are at most " + OPTS_MAX + " bytes, got " + options.length);
        }
    }

    @Override
    public byte[] src() {
        return src.clone();
    }

    @Override
    public byte[] dst() {
        return dst.clone();
    }

    @Override
    public byte[] options() {
        return options.clone();
    }

    /**
     * This key with {@code opts} as its options, as bpf_skb_set_tunnel_opt leaves it: non-empty
     * options also set the "options present" flags (which stay set once set).
     */
    public TunnelInfo withOptions(byte[] opts) {
        return new TunnelInfo(tx, ipv6, tunId, tos, ttl, opts.length > 0 ? flags | OPTIONS_PRESENT : flags, src, dst,
                label, opts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TunnelInfo t && tx == t.tx && ipv6 == t.ipv6 && tunId == t.tunId && tos == t.tos
                && ttl == t.ttl && flags == t.flags && label == t.label && Arrays.equals(src, t.src)
                && Arrays.equals(dst, t.dst) && Arrays.equals(options, t.options);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(tunId) * 31 + Arrays.hashCode(dst);
    }
}
