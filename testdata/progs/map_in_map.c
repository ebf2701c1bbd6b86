/*
 * map_in_map.c: maps of maps and pinning.
 *
 * Exercises: BPF_MAP_TYPE_ARRAY_OF_MAPS whose inner map is given by __array(values, struct inner)
 * with initial slots (slot 0 = inner_a, slot 1 = inner_b), a HASH_OF_MAPS with the same inner
 * definition and no initial slots, and LIBBPF_PIN_BY_NAME on the outer array. The program looks
 * up the inner map in slot skb->cb[0] & 1 and counts in it.
 */
#include "common.h"

struct inner {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
};

struct inner inner_a SEC(".maps");
struct inner inner_b SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
    __array(values, struct inner);
} outer SEC(".maps") = {
    .values = { &inner_a, &inner_b },
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __uint(max_entries, 8);
    __type(key, __u32);
    __array(values, struct inner);
} by_id SEC(".maps");

SEC("tc")
int count_inner(struct __sk_buff *skb)
{
    __u32 slot = skb->cb[0] & 1;
    __u32 zero = 0;
    void *inner = bpf_map_lookup_elem(&outer, &slot);
    if (!inner)
        return TC_ACT_OK;
    __u64 *n = bpf_map_lookup_elem(inner, &zero);
    if (n)
        __sync_fetch_and_add(n, 1);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
