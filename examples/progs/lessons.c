/*
 * lessons.c: small, single-purpose tc programs for the guided tour (the examples/ scripts).
 * Each program does one thing so a trace reads like a sentence:
 *   audit    logs the packet length with bpf_printk and says TCX_NEXT (let the next one decide)
 *   count    counts packets in the `seen` map and says TCX_NEXT
 *   allow    says TCX_PASS: the packet goes on, later tcx programs and classic tc do not run
 *   deny     says TCX_DROP
 *   classic_ok / classic_drop   classic cls_bpf filters (direct-action): TC_ACT_OK / TC_ACT_SHOT
 *   redirect redirects to the ifindex stored in `redirect_to[0]` (egress of that device)
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/* tcx verdicts (linux/bpf.h of 6.6+; Debian 12's headers predate them) */
#ifndef TCX_NEXT
#define TCX_NEXT -1
#define TCX_PASS 0
#define TCX_DROP 2
#define TCX_REDIRECT 7
#endif

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} seen SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 1);
} redirect_to SEC(".maps");

SEC("tc")
int audit(struct __sk_buff *skb)
{
    bpf_printk("audit: %u bytes", skb->len);
    return TCX_NEXT;
}

SEC("tc")
int count(struct __sk_buff *skb)
{
    __u32 zero = 0;
    __u64 *n = bpf_map_lookup_elem(&seen, &zero);
    if (n)
        __sync_fetch_and_add(n, 1);
    return TCX_NEXT;
}

SEC("tc")
int allow(struct __sk_buff *skb)
{
    return TCX_PASS;
}

SEC("tc")
int deny(struct __sk_buff *skb)
{
    return TCX_DROP;
}

SEC("tc")
int classic_ok(struct __sk_buff *skb)
{
    return TC_ACT_OK;
}

SEC("tc")
int classic_drop(struct __sk_buff *skb)
{
    return TC_ACT_SHOT;
}

SEC("tc")
int redirect(struct __sk_buff *skb)
{
    __u32 zero = 0;
    __u32 *ifindex = bpf_map_lookup_elem(&redirect_to, &zero);
    if (!ifindex || !*ifindex)
        return TCX_NEXT;
    return bpf_redirect(*ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
