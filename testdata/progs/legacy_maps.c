/*
 * legacy_maps.c: the pre-BTF way of defining maps.
 *
 * Exercises: SEC("maps") with struct bpf_map_def (declared here, as old samples did), two maps
 * in that section (an ARRAY and a HASH with BPF_F_NO_PREALLOC), the "version" section, and the
 * "classifier" section name. Counts packets per skb->protocol.
 */
#include "common.h"

struct bpf_map_def {
    unsigned int type;
    unsigned int key_size;
    unsigned int value_size;
    unsigned int max_entries;
    unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_counts = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 2,
};

struct bpf_map_def SEC("maps") legacy_protos = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 64,
    .map_flags = BPF_F_NO_PREALLOC,
};

SEC("classifier")
int legacy(struct __sk_buff *skb)
{
    __u32 key = 0;
    __u32 proto = skb->protocol;
    __u64 one = 1;
    __u64 *n = bpf_map_lookup_elem(&legacy_counts, &key);
    if (n)
        __sync_fetch_and_add(n, 1);
    __u64 *p = bpf_map_lookup_elem(&legacy_protos, &proto);
    if (p)
        __sync_fetch_and_add(p, 1);
    else
        bpf_map_update_elem(&legacy_protos, &proto, &one, BPF_ANY);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060600;
