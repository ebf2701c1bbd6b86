/*
 * cb_perf.c: bpf_perf_event_output from tc.
 *
 * Exercises: BPF_F_CURRENT_CPU and an explicit index, a sample with the packet's first 14 bytes
 * appended (flags >> 32), an index past max_entries (-E2BIG), flags outside the index and length
 * masks (-EINVAL), more packet than there is (-EFAULT). Under BPF_PROG_TEST_RUN no perf event is
 * attached to any slot, so the good calls return -ENOENT there.
 */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(max_entries, 4);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct results {
    __s64 current, with_ctx, index_big, bad_flags, ctx_too_long;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct results);
} out SEC(".maps");

SEC("tc")
int perf_output(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct results *r = bpf_map_lookup_elem(&out, &zero);
    if (!r)
        return 1;
    __u64 len = skb->len;
    __u64 data = 0xc0ffee00 + len;
    r->current = bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU, &data, sizeof(data));
    r->with_ctx = bpf_perf_event_output(skb, &events, 1 | (14ULL << 32), &data, sizeof(data));
    r->index_big = bpf_perf_event_output(skb, &events, 7, &data, sizeof(data));
    r->bad_flags = bpf_perf_event_output(skb, &events, 1ULL << 52, &data, sizeof(data));
    r->ctx_too_long = bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU | ((len + 1) << 32), &data, sizeof(data));
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
