/*
 * cb_printk.c: what bpf_trace_printk and bpf_trace_vprintk return.
 *
 * Exercises: bpf_printk with three arguments (bpf_trace_printk) and with five (libbpf's macro
 * switches to bpf_trace_vprintk), with and without a trailing newline; both return the length
 * of the formatted line.
 */
#include "common.h"

struct results {
    __s64 printk, printk_nl, vprintk, vprintk_nl;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct results);
} out SEC(".maps");

SEC("tc")
int printk_returns(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct results *r = bpf_map_lookup_elem(&out, &zero);
    if (!r)
        return 1;
    __u32 len = skb->len;
    r->printk = bpf_printk("cb_printk len=%u mark=%x q=%d", len, skb->mark, -7);
    r->printk_nl = bpf_printk("cb_printk len=%u\n", len);
    r->vprintk = bpf_printk("cb_printk %d %d %d %d %u", 1, 22, 333, -4444, len);
    r->vprintk_nl = bpf_printk("cb_printk %d %d %d %d %u\n", 1, 22, 333, -4444, len);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
