/*
 * maps_lpm.c: an IPv4 route table in a BPF_MAP_TYPE_LPM_TRIE.
 *
 * Exercises: longest-prefix lookup from a program (key prefixlen 32 and the packet's destination),
 * an insert of the source's /24 with BPF_NOEXIST (-EEXIST when present, -ENOSPC when full), an
 * exact delete of the destination's /32 (-ENOENT unless exactly that prefix is stored), and a
 * second lookup that sees the delete. `outcome` holds [class, update rc, delete rc, class after].
 * Returns the first lookup's class, or -1 when no prefix matched (or the packet is not IPv4).
 */
#include "common.h"

struct lpm_v4 {
    __u32 prefixlen;
    __u8 addr[4];
};

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __type(key, struct lpm_v4);
    __type(value, __u32);
    __uint(max_entries, 8);
    __uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __s64);
} outcome SEC(".maps");

static __always_inline void record(__u32 i, __s64 v)
{
    __s64 *slot = bpf_map_lookup_elem(&outcome, &i);
    if (slot)
        *slot = v;
}

static __always_inline __s64 route(__u32 addr)
{
    struct lpm_v4 key = { .prefixlen = 32 };
    __builtin_memcpy(key.addr, &addr, 4);
    __u32 *class = bpf_map_lookup_elem(&routes, &key);
    return class ? *class : -1;
}

SEC("tc")
int classify(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = data + sizeof(*eth);

    if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return -1;
    __u32 daddr = ip->daddr, saddr = ip->saddr;
    __s64 class = route(daddr);
    record(0, class);

    struct lpm_v4 net = { .prefixlen = 24 };
    __builtin_memcpy(net.addr, &saddr, 4);
    __u32 value = class + 100;
    record(1, bpf_map_update_elem(&routes, &net, &value, BPF_NOEXIST));

    struct lpm_v4 host = { .prefixlen = 32 };
    __builtin_memcpy(host.addr, &daddr, 4);
    record(2, bpf_map_delete_elem(&routes, &host));
    record(3, route(daddr));
    return class;
}

char LICENSE[] SEC("license") = "GPL";
