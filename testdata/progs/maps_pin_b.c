/*
 * maps_pin_b.c: one of two objects sharing a map pinned by name (maps_pin_a.c, maps_pin_b.c).
 *
 * Exercises: LIBBPF_PIN_BY_NAME. Both objects define `shared_hits` the same way; the object loaded
 * second reuses the first one's map instead of creating its own, so both programs count in one
 * array. This one adds 100 to slot 0 per packet; `own_hits` is not pinned and stays per object.
 */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_hits SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} own_hits SEC(".maps");

SEC("tc")
int count_b(struct __sk_buff *skb)
{
    __u32 zero = 0;
    __u64 *shared = bpf_map_lookup_elem(&shared_hits, &zero);
    __u64 *own = bpf_map_lookup_elem(&own_hits, &zero);

    if (shared)
        __sync_fetch_and_add(shared, 100);
    if (own)
        __sync_fetch_and_add(own, 1);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
