/*
 * verdict.c: the conformance suite's probe for program order.
 *
 * Exercises: SEC("tc"), a `volatile const` in .rodata (the default verdict, set before load), a
 * global in .data (an override a test may change at run time), a BTF-defined ARRAY map `runs`
 * counting how often the program ran, and skb->mark / skb->cb[0] tagging so the order of several
 * attached copies is observable: each run does cb[0] = cb[0] * 16 + tag and mark = mark * 16 + tag.
 */
#include "common.h"

volatile const int verdict_value = TC_ACT_UNSPEC; /* TCX_NEXT */
volatile const __u32 tag = 1;
int verdict_override = -2; /* < -1: no override */

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} runs SEC(".maps");

SEC("tc")
int verdict(struct __sk_buff *skb)
{
    __u32 zero = 0;
    __u64 *count = bpf_map_lookup_elem(&runs, &zero);
    if (count)
        __sync_fetch_and_add(count, 1);
    skb->cb[0] = skb->cb[0] * 16 + tag;
    skb->mark = skb->mark * 16 + tag;
    if (verdict_override >= -1)
        return verdict_override;
    return verdict_value;
}

char LICENSE[] SEC("license") = "GPL";
