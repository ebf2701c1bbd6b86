package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.RingBufMap;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.RunState;

/** bpf_ringbuf_query (kernel/bpf/ringbuf.c): the ring's positions and sizes. */
final class RingbufQuery {
    static final int RINGBUF_QUERY = 134;
    private static final int BPF_RB_AVAIL_DATA = 0, BPF_RB_RING_SIZE = 1, BPF_RB_CONS_POS = 2, BPF_RB_PROD_POS = 3;

    private RingbufQuery() {
    }

    /**
     * bpf_ringbuf_query(ringbuf, flags): the bytes between consumer and producer (busy records
     * included), the ring's size, the consumer or the producer position; 0 for any other flags.
     */
    static long query(RunState st, long mapHandle, long flags, int pc) {
        BpfMap m = Helpers.map(mapHandle, RINGBUF_QUERY, pc);
        if (!(m instanceof RingBufMap rb)) {
            throw new BpfFault(pc, Helpers.describe(RINGBUF_QUERY) + ": map '" + m.name() + "' is not a ringbuf");
        }
        if (flags == BPF_RB_AVAIL_DATA) {
            return rb.used();
        } else if (flags == BPF_RB_RING_SIZE) {
            return rb.maxEntries();
        } else if (flags == BPF_RB_CONS_POS) {
            return rb.consumerPos();
        } else if (flags == BPF_RB_PROD_POS) {
            return rb.producerPos();
        }
        return 0;
    }
}
