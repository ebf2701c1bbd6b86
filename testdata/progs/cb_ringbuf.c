/*
 * cb_ringbuf.c: the ring buffer helpers together.
 *
 * Exercises: bpf_ringbuf_reserve + bpf_ringbuf_submit with BPF_RB_NO_WAKEUP, bpf_ringbuf_output
 * with BPF_RB_FORCE_WAKEUP, reserve with flags != 0 (NULL), output with unknown flags (-EINVAL),
 * and bpf_ringbuf_query's four values (available bytes, ring size, consumer and producer
 * positions; headers and padding count) plus an unknown query (0). Records: the first 10 bytes
 * of the packet, then 20 bytes of (len + i).
 */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} rb SEC(".maps");

struct results {
    __s64 reserved, reserve_bad_flags, output, output_bad_flags;
    __s64 avail, size, cons, prod, unknown;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct results);
} out SEC(".maps");

SEC("tc")
int ringbuf_rules(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct results *r = bpf_map_lookup_elem(&out, &zero);
    if (!r)
        return 1;
    __u8 *rec = bpf_ringbuf_reserve(&rb, 10, 0);
    if (rec) {
        r->reserved = 1;
        bpf_skb_load_bytes(skb, 0, rec, 10);
        bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
    }
    void *never = bpf_ringbuf_reserve(&rb, 10, 1);
    if (never) {
        r->reserve_bad_flags = 1;
        bpf_ringbuf_discard(never, 0);
    }
    __u8 data[20];
    for (int i = 0; i < 20; i++)
        data[i] = skb->len + i;
    r->output = bpf_ringbuf_output(&rb, data, sizeof(data), BPF_RB_FORCE_WAKEUP);
    r->output_bad_flags = bpf_ringbuf_output(&rb, data, sizeof(data), 4);
    r->avail = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
    r->size = bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE);
    r->cons = bpf_ringbuf_query(&rb, BPF_RB_CONS_POS);
    r->prod = bpf_ringbuf_query(&rb, BPF_RB_PROD_POS);
    r->unknown = bpf_ringbuf_query(&rb, 9);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
