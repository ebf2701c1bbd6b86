/*
 * cb_spinlock.c: bpf_spin_lock / bpf_spin_unlock around a read-modify-write of a map value.
 *
 * Exercises: a struct bpf_spin_lock inside an array map's value (the map needs BTF for the
 * kernel to find it); the counter is read, bumped and written back with plain loads and stores
 * between lock and unlock, so concurrent runs lose updates unless the lock excludes them.
 * Adds skb->len to total and 1 to runs; returns the runs count seen inside the lock.
 */
#include "common.h"

struct counter {
    struct bpf_spin_lock lock;
    __u32 pad;
    __u64 runs;
    __u64 total;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct counter);
} counters SEC(".maps");

SEC("tc")
int locked_count(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct counter *c = bpf_map_lookup_elem(&counters, &zero);
    if (!c)
        return -1;
    __u64 len = skb->len;
    bpf_spin_lock(&c->lock);
    __u64 runs = c->runs + 1;
    c->total = c->total + len;
    c->runs = runs;
    bpf_spin_unlock(&c->lock);
    return runs;
}

char LICENSE[] SEC("license") = "GPL";
