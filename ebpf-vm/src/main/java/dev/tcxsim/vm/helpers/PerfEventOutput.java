package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.PerfEventArrayMap;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.RunState;

/**
 * bpf_perf_event_output from tc (bpf_skb_event_output, net/core/filter.c): a sample of
 * {@code size} bytes of program memory followed by the first (flags >> 32) bytes of the packet,
 * written to the perf event array slot (flags & 0xffffffff), BPF_F_CURRENT_CPU meaning the
 * running CPU's. Java reads samples with {@link PerfEventArrayMap#poll}.
 */
final class PerfEventOutput {
    static final int PERF_EVENT_OUTPUT = 25;
    static final long BPF_F_INDEX_MASK = 0xffffffffL, BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK,
            BPF_F_CTXLEN_MASK = 0xfffffL << 32;
    private static final int EINVAL = 22, EFAULT = 14;

    private PerfEventOutput() {
    }

    /** (ctx, map, flags, data, size): 0, -EINVAL (flags), -EFAULT (more packet than there is), -E2BIG, -ENOENT. */
    static long output(RunState st, long mapHandle, long flags, long data, long size, int pc) {
        String who = Helpers.describe(PERF_EVENT_OUTPUT);
        BpfMap m = Helpers.map(mapHandle, PERF_EVENT_OUTPUT, pc);
        if (!(m instanceof PerfEventArrayMap perf)) {
            throw new BpfFault(pc, who + ": map '" + m.name() + "' is not a perf event array");
        }
        byte[] meta = Memory.readBytes(st, data, (int) size, pc, who + " data");
        if ((flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK)) != 0) {
            return -EINVAL;
        }
        SkBuff skb = st.skb;
        long ctxLen = (flags & BPF_F_CTXLEN_MASK) >>> 32;
        if (ctxLen > skb.len()) {
            return -EFAULT;
        }
        long index = flags & BPF_F_INDEX_MASK;
        if (index == BPF_F_CURRENT_CPU) {
            index = st.cpu;
        }
        byte[] sample = new byte[meta.length + (int) ctxLen];
        System.arraycopy(meta, 0, sample, 0, meta.length);
        System.arraycopy(skb.buffer(), skb.dataOffset(), sample, meta.length, (int) ctxLen);
        return perf.output(index, sample);
    }
}
