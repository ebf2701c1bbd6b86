package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.ctx.TunnelInfo;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.RunState;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.tcxsim.vm.helpers.SkbHelpers.EINVAL;
import static dev.tcxsim.vm.helpers.SkbHelpers.ENOENT;
import static dev.tcxsim.vm.helpers.SkbHelpers.ENOMEM;
import static dev.tcxsim.vm.helpers.SkbHelpers.EPROTO;

/**
 * bpf_skb_get/set_tunnel_key and bpf_skb_get/set_tunnel_opt: the tunnel metadata kept on the
 * {@link SkBuff} ({@link TunnelInfo}), with {@code struct bpf_tunnel_key} laid out as in
 * include/uapi/linux/bpf.h, its older shorter layouts accepted as the kernel accepts them.
 */
public final class TunnelHelpers {
    public static final int SKB_GET_TUNNEL_KEY = 20, SKB_SET_TUNNEL_KEY = 21, SKB_GET_TUNNEL_OPT = 29,
            SKB_SET_TUNNEL_OPT = 30;
    public static final long TUNINFO_IPV6 = 1, ZERO_CSUM_TX = 1 << 1, DONT_FRAGMENT = 1 << 2, SEQ_NUMBER = 1 << 3,
            NO_TUNNEL_KEY = 1 << 4, TUNINFO_FLAGS = 1 << 4;

    /** sizeof(struct bpf_tunnel_key) and the offsets of its fields. */
    static final int KEY_SIZE = 44, REMOTE = 4, TOS = 20, TTL = 21, EXT = 22, LABEL = 24, LOCAL = 28;
    /** Sizes of the older layouts (up to local_ipv6, tunnel_label, tunnel_ext, remote_ipv6[1]). */
    private static final int[] COMPAT_SIZES = {LOCAL, LABEL, EXT, REMOTE + 4};

    private TunnelHelpers() {
    }

    private static boolean compatSize(long size) {
        for (int c : COMPAT_SIZES) {
            if (c == size) {
                return true;
            }
        }
        return false;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static long getTunnelKey(RunState st, long to, long sizeArg, long flags, int pc) {
        int size = (int) Math.min(sizeArg & 0xffffffffL, 1 << 16);
        TunnelInfo info = st.skb.tunnel();
        byte[] key = new byte[KEY_SIZE];
        long rc = 0;
        if (info == null || (flags & ~(TUNINFO_IPV6 | TUNINFO_FLAGS)) != 0) {
            rc = -EINVAL;
        } else if (info.ipv6() != ((flags & TUNINFO_IPV6) != 0)) {
            rc = -EPROTO;
        } else if (size != KEY_SIZE && (!compatSize(size) || (size == REMOTE + 4 && info.ipv6()))) {
            rc = -EINVAL;
        } else {
            ByteBuffer k = le(key);
            k.putInt(0, (int) info.tunId());
            key[TOS] = (byte) info.tos();
            key[TTL] = (byte) info.ttl();
            if ((flags & TUNINFO_FLAGS) != 0) {
                key[EXT] = (byte) (info.flags() >>> 8);
                key[EXT + 1] = (byte) info.flags();
            }
            if (info.ipv6()) {
                // for a received packet src is the remote end; a key set by a program reads back swapped
                System.arraycopy(info.src(), 0, key, REMOTE, 16);
                System.arraycopy(info.dst(), 0, key, LOCAL, 16);
                k.putInt(LABEL, info.label());
            } else {
                k.putInt(REMOTE, ByteBuffer.wrap(info.src()).getInt());
                k.putInt(LOCAL, ByteBuffer.wrap(info.dst()).getInt());
            }
        }
        byte[] out = rc == 0 ? Arrays.copyOf(key, size) : new byte[size];
        Memory.writeBytes(st, to, out, pc, "skb_get_tunnel_key destination");
        return rc;
    }

    static long setTunnelKey(RunState st, long from, long sizeArg, long flags, int pc) {
        int size = (int) Math.min(sizeArg & 0xffffffffL, 1 << 16);
        byte[] given = Memory.readBytes(st, from, size, pc, "skb_set_tunnel_key source");
        if ((flags & ~(TUNINFO_IPV6 | ZERO_CSUM_TX | DONT_FRAGMENT | SEQ_NUMBER | NO_TUNNEL_KEY)) != 0) {
            return -EINVAL;
        }
        if (size != KEY_SIZE && !compatSize(size)) {
            return -EINVAL;
        }
        byte[] key = Arrays.copyOf(given, KEY_SIZE);
        ByteBuffer k = le(key);
        boolean ipv6 = (flags & TUNINFO_IPV6) != 0;
        if ((!ipv6 && k.getInt(LABEL) != 0) || k.getShort(EXT) != 0) {
            return -EINVAL;
        }
        long tunFlags = 1L << TunnelInfo.NOCACHE_BIT;
        if ((flags & DONT_FRAGMENT) != 0) {
            tunFlags |= 1L << TunnelInfo.DONT_FRAGMENT_BIT;
        }
        if ((flags & ZERO_CSUM_TX) == 0) {
            tunFlags |= 1L << TunnelInfo.CSUM_BIT;
        }
        if ((flags & SEQ_NUMBER) != 0) {
            tunFlags |= 1L << TunnelInfo.SEQ_BIT;
        }
        if ((flags & NO_TUNNEL_KEY) == 0) {
            tunFlags |= 1L << TunnelInfo.KEY_BIT;
        }
        byte[] src;
        byte[] dst;
        int label = 0;
        if (ipv6) {
            dst = Arrays.copyOfRange(key, REMOTE, REMOTE + 16);
            src = Arrays.copyOfRange(key, LOCAL, LOCAL + 16);
            label = k.getInt(LABEL) & 0xfffff;
        } else {
            dst = ByteBuffer.allocate(4).putInt(k.getInt(REMOTE)).array();
            src = ByteBuffer.allocate(4).putInt(k.getInt(LOCAL)).array();
        }
        st.skb.setTunnel(new TunnelInfo(true, ipv6, k.getInt(0) & 0xffffffffL, key[TOS] & 0xff, key[TTL] & 0xff,
                tunFlags, src, dst, label, new byte[0]));
        return 0;
    }

    static long getTunnelOpt(RunState st, long to, long sizeArg, int pc) {
        int size = (int) Math.min(sizeArg & 0xffffffffL, 1 << 16);
        TunnelInfo info = st.skb.tunnel();
        byte[] out = new byte[size];
        long rc;
        if (info == null || (info.flags() & TunnelInfo.OPTIONS_PRESENT) == 0) {
            rc = -ENOENT;
        } else if (size < info.options().length) {
            rc = -ENOMEM;
        } else {
            byte[] opts = info.options();
            System.arraycopy(opts, 0, out, 0, opts.length);
            rc = opts.length;
        }
        Memory.writeBytes(st, to, out, pc, "skb_get_tunnel_opt destination");
        return rc;
    }

    static long setTunnelOpt(RunState st, long from, long sizeArg, int pc) {
        int size = (int) Math.min(sizeArg & 0xffffffffL, 1 << 16);
        byte[] opts = Memory.readBytes(st, from, size, pc, "skb_set_tunnel_opt source");
        TunnelInfo info = st.skb.tunnel();
        // only the metadata a program set with bpf_skb_set_tunnel_key may take options
        if (info == null || !info.tx() || (size & 3) != 0) {
            return -EINVAL;
        }
        if (size > TunnelInfo.OPTS_MAX) {
            return -ENOMEM;
        }
        st.skb.setTunnel(info.withOptions(opts));
        return 0;
    }
}
