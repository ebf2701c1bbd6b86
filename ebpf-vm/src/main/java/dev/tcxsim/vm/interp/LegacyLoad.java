package dev.tcxsim.vm.interp;

import dev.tcxsim.vm.ctx.SkBuff;

/** LD_ABS / LD_IND: a network-byte-order load from the packet relative to data. */
public final class LegacyLoad {
    private LegacyLoad() {
    }

    /** The value (zero-extended, converted to host order), or -1 when the bytes are outside the packet. */
    public static long load(SkBuff skb, long offset, int size) {
        if (offset < 0 || offset + size > skb.len()) {
            return -1;
        }
        byte[] b = skb.buffer();
        int at = skb.dataOffset() + (int) offset;
        long v = 0;
        for (int i = 0; i < size; i++) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }
}
