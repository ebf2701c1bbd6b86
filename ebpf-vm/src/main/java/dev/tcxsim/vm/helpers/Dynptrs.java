package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.mem.RunState;

/**
 * Dynamic pointers on skbs (kernel/bpf/helpers.c, net/core/filter.c): the kfuncs
 * bpf_dynptr_from_skb, bpf_dynptr_slice and bpf_dynptr_slice_rdwr, and the helpers
 * bpf_dynptr_read and bpf_dynptr_write.
 *
 * <p>A struct bpf_dynptr is 16 bytes on the program's stack, laid out like the kernel's
 * bpf_dynptr_kern: the data pointer (here the context pointer, as the kernel keeps the skb), a
 * word with the size in bits 0-23, the type in bits 28-30 and read-only in bit 31, and the
 * offset. A NULL data pointer is the kernel's null dynptr, which every function refuses.
 */
final class Dynptrs {
    static final int DYNPTR_READ = 201, DYNPTR_WRITE = 202;
    private static final int TYPE_SKB = 3, TYPE_SHIFT = 28, SIZE_MASK = 0xffffff;
    private static final int RDONLY_BIT = 1 << 31;
    private static final int EINVAL = 22, E2BIG = 7, EFAULT = 14;
    private static final long BPF_F_RECOMPUTE_CSUM = 1, BPF_F_INVALIDATE_HASH = 2;

    private Dynptrs() {
    }

    /** The fields of one dynptr as the program's stack holds them. */
    private record View(long data, int size, int type, boolean rdonly, int offset) {
    }

    private static View read(RunState st, long addr, int pc, String who) {
        byte[] raw = Memory.readBytes(st, addr, 16, pc, who + " dynptr");
        int word = (int) Memory.read(raw, 8, 4);
        return new View(Memory.read(raw, 0, 8), word & SIZE_MASK, (word >>> TYPE_SHIFT) & 7, word < 0,
                (int) Memory.read(raw, 12, 4));
    }

    private static void write(RunState st, long addr, long data, int size, int type, int pc, String who) {
        byte[] raw = new byte[16];
        Memory.write(raw, 0, 8, data);
        Memory.write(raw, 8, 4, data == 0 ? 0 : (size & SIZE_MASK) | (type << TYPE_SHIFT));
        Memory.writeBytes(st, addr, raw, pc, who + " dynptr");
    }

    /** bpf_dynptr_check_off_len: -E2BIG unless offset..offset+len lies inside the dynptr. */
    private static boolean fits(View v, long offset, long len) {
        return len <= v.size() && offset <= v.size() - len;
    }

    private static View skbDynptr(RunState st, long addr, int pc, String who) {
        View v = read(st, addr, pc, who);
        if (v.data() != 0 && v.type() != TYPE_SKB) {
            throw new BpfFault(pc, who + ": dynptr of type " + v.type() + " (the simulator has skb dynptrs only)");
        }
        return v;
    }

    /** bpf_dynptr_from_skb(skb, flags, ptr): an skb dynptr over the whole packet; -EINVAL and a null dynptr for flags != 0. */
    static long fromSkb(RunState st, long ctx, long flags, long ptr, int pc) {
        String who = "kfunc bpf_dynptr_from_skb";
        if (Ptr.tag(ctx) != Ptr.CTX) {
            throw new BpfFault(pc, who + ": R1 is not the context");
        }
        if (flags != 0) {
            write(st, ptr, 0, 0, 0, pc, who);
            return -EINVAL;
        }
        write(st, ptr, ctx, st.skb.len(), TYPE_SKB, pc, who);
        return 0;
    }

    /**
     * bpf_dynptr_slice / bpf_dynptr_slice_rdwr(ptr, offset, buffer, size): a pointer to
     * {@code size} bytes of the packet at {@code offset} (a simulated skb is linear, so the bytes
     * are never copied into the buffer), or NULL when they are not inside the dynptr, the dynptr
     * is null, or (rdwr) read-only.
     */
    static long slice(RunState st, long ptr, long offset, long buffer, long size, boolean rdwr, int pc) {
        String who = rdwr ? "kfunc bpf_dynptr_slice_rdwr" : "kfunc bpf_dynptr_slice";
        View v = skbDynptr(st, ptr, pc, who);
        if (v.data() == 0 || !fits(v, offset, size) || (rdwr && v.rdonly())) {
            return 0;
        }
        long at = v.offset() + offset;
        SkBuff skb = st.skb;
        if (at + size > skb.len()) {
            return 0; // the packet shrank after the dynptr was made (skb_header_pointer fails)
        }
        return Ptr.make(Ptr.PACKET, skb.dataOffset() + (int) at);
    }

    /** bpf_dynptr_read(dst, len, src, offset, flags): 0, -EINVAL (null dynptr, flags), -E2BIG (out of range), -EFAULT. */
    static long dynptrRead(RunState st, long dst, long len, long src, long offset, long flags, int pc) {
        String who = Helpers.describe(DYNPTR_READ);
        int n = (int) (len & 0xffffffffL);
        View v = skbDynptr(st, src, pc, who);
        if (v.data() == 0 || flags != 0) {
            return -EINVAL;
        }
        long off = offset & 0xffffffffL;
        if (!fits(v, off, n)) {
            return -E2BIG;
        }
        long at = v.offset() + off;
        SkBuff skb = st.skb;
        if (at + n > skb.len()) {
            return -EFAULT;
        }
        byte[] out = new byte[n];
        System.arraycopy(skb.buffer(), skb.dataOffset() + (int) at, out, 0, n);
        Memory.writeBytes(st, dst, out, pc, who + " destination");
        return 0;
    }

    /**
     * bpf_dynptr_write(dst, offset, src, len, flags): 0, -EINVAL (null or read-only dynptr, flags
     * other than BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH), -E2BIG (out of range), -EFAULT.
     */
    static long dynptrWrite(RunState st, long dst, long offset, long src, long len, long flags, int pc) {
        String who = Helpers.describe(DYNPTR_WRITE);
        int n = (int) (len & 0xffffffffL);
        byte[] bytes = Memory.readBytes(st, src, n, pc, who + " source");
        View v = skbDynptr(st, dst, pc, who);
        if (v.data() == 0 || v.rdonly()) {
            return -EINVAL;
        }
        long off = offset & 0xffffffffL;
        if (!fits(v, off, n)) {
            return -E2BIG;
        }
        if ((flags & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) != 0) {
            return -EINVAL;
        }
        long at = v.offset() + off;
        SkBuff skb = st.skb;
        if (at > 0xffff || at + n > skb.len()) {
            return -EFAULT;
        }
        System.arraycopy(bytes, 0, skb.buffer(), skb.dataOffset() + (int) at, n);
        if ((flags & BPF_F_INVALIDATE_HASH) != 0) {
            skb.setHash(0);
        }
        return 0;
    }
}
