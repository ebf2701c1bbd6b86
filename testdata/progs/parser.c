/*
 * parser.c: a flow counter with direct packet access.
 *
 * Exercises: bounds-checked reads of Ethernet, IPv4 (with options, via ihl), IPv6, TCP and UDP
 * headers from skb->data..skb->data_end; a BTF-defined HASH map `flows` keyed by the 5-tuple with
 * packet and byte counters (lookup, then update with BPF_NOEXIST on a miss); a per-verdict ARRAY
 * map. Always returns TC_ACT_OK.
 */
#include "common.h"

struct flow_key {
    __u8 src[16];
    __u8 dst[16];
    __u16 sport;
    __u16 dport;
    __u8 proto;
    __u8 family;
    __u16 pad;
};

struct flow_stats {
    __u64 packets;
    __u64 bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, struct flow_key);
    __type(value, struct flow_stats);
    __uint(max_entries, 1024);
    __uint(map_flags, BPF_F_NO_PREALLOC);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u64));
    __uint(max_entries, 4);
} parse_errors SEC(".maps");

static __always_inline void count_error(__u32 why)
{
    __u64 *n = bpf_map_lookup_elem(&parse_errors, &why);
    if (n)
        __sync_fetch_and_add(n, 1);
}

static __always_inline int parse_l4(void *l4, void *end, __u8 proto, struct flow_key *key)
{
    if (proto == IPPROTO_TCP) {
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) > end)
            return -1;
        key->sport = tcp->source;
        key->dport = tcp->dest;
    } else if (proto == IPPROTO_UDP) {
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) > end)
            return -1;
        key->sport = udp->source;
        key->dport = udp->dest;
    }
    return 0;
}

SEC("tc")
int parse_flow(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct flow_key key = {};
    struct ethhdr *eth = data;

    if ((void *)(eth + 1) > end) {
        count_error(0);
        return TC_ACT_OK;
    }
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > end || ip->ihl < 5) {
            count_error(1);
            return TC_ACT_OK;
        }
        __builtin_memcpy(key.src, &ip->saddr, 4);
        __builtin_memcpy(key.dst, &ip->daddr, 4);
        key.proto = ip->protocol;
        key.family = 4;
        if (parse_l4((void *)ip + ip->ihl * 4, end, ip->protocol, &key) < 0) {
            count_error(3);
            return TC_ACT_OK;
        }
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        if ((void *)(ip6 + 1) > end) {
            count_error(2);
            return TC_ACT_OK;
        }
        __builtin_memcpy(key.src, &ip6->saddr, 16);
        __builtin_memcpy(key.dst, &ip6->daddr, 16);
        key.proto = ip6->nexthdr;
        key.family = 6;
        if (parse_l4(ip6 + 1, end, ip6->nexthdr, &key) < 0) {
            count_error(3);
            return TC_ACT_OK;
        }
    } else {
        return TC_ACT_OK;
    }

    struct flow_stats *stats = bpf_map_lookup_elem(&flows, &key);
    if (stats) {
        __sync_fetch_and_add(&stats->packets, 1);
        __sync_fetch_and_add(&stats->bytes, skb->len);
    } else {
        struct flow_stats init = { .packets = 1, .bytes = skb->len };
        bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
    }
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
