/*
 * maps_bloom.c: a BPF_MAP_TYPE_BLOOM_FILTER of IPv4 sources.
 *
 * Exercises: bpf_map_push_elem into a bloom filter (flags must be BPF_ANY) and bpf_map_peek_elem,
 * whose value is the question (0: maybe present, -ENOENT: surely absent). The filter is small and
 * uses BPF_F_ZERO_SEED and one hash function (map_extra 1), so its bits, false positives included,
 * are the same in every kernel and in the simulator. Packet byte 0 picks the action: 1 adds the
 * source address, 2 asks about it, 3 pushes with BPF_EXIST (-EINVAL). Returns the helper's result.
 */
#include "common.h"

#define BPF_F_ZERO_SEED_FLAG (1U << 6)

struct {
    __uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
    __type(value, __u32);
    __uint(max_entries, 16);
    __uint(map_flags, BPF_F_ZERO_SEED_FLAG);
    __uint(map_extra, 1);
} seen SEC(".maps");

SEC("tc")
int bloom_source(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct iphdr *ip = data + sizeof(struct ethhdr);

    if ((void *)(ip + 1) > end)
        return -1;
    __u8 action = *(__u8 *)data;
    __u32 saddr = ip->saddr;
    if (action == 1)
        return bpf_map_push_elem(&seen, &saddr, BPF_ANY);
    if (action == 2)
        return bpf_map_peek_elem(&seen, &saddr);
    if (action == 3)
        return bpf_map_push_elem(&seen, &saddr, BPF_EXIST);
    return -2;
}

char LICENSE[] SEC("license") = "GPL";
