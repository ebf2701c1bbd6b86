/*
 * nat.c: destination NAT for IPv4 TCP/UDP with checksum helpers.
 *
 * Exercises: bpf_skb_store_bytes, bpf_l3_csum_replace and bpf_l4_csum_replace (with
 * BPF_F_PSEUDO_HDR for the address), re-reading data/data_end after the store, and a .rodata
 * configuration (`nat_from`, `nat_to`, `port_to`, all network byte order) set before load.
 * Rewrites packets to nat_from (any port) into nat_to:port_to (port_to 0 keeps the port).
 */
#include "common.h"
#include <stddef.h>

volatile const __be32 nat_from = 0x0100000a; /* 10.0.0.1 */
volatile const __be32 nat_to = 0x0200000a;   /* 10.0.0.2 */
volatile const __be16 port_to = 0;

#define IP_OFF ETH_HLEN
#define IP_DST_OFF (IP_OFF + offsetof(struct iphdr, daddr))
#define IP_CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))

SEC("tc")
int dnat(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);

    if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
        return TC_ACT_OK;
    if (ip->daddr != nat_from)
        return TC_ACT_OK;

    __u8 proto = ip->protocol;
    __be32 old_addr = ip->daddr;
    __be32 new_addr = nat_to;
    int l4_csum_off;
    int l4_port_off;
    if (proto == IPPROTO_TCP) {
        l4_csum_off = IP_OFF + sizeof(struct iphdr) + offsetof(struct tcphdr, check);
        l4_port_off = IP_OFF + sizeof(struct iphdr) + offsetof(struct tcphdr, dest);
    } else if (proto == IPPROTO_UDP) {
        l4_csum_off = IP_OFF + sizeof(struct iphdr) + offsetof(struct udphdr, check);
        l4_port_off = IP_OFF + sizeof(struct iphdr) + offsetof(struct udphdr, dest);
    } else {
        return TC_ACT_OK;
    }

    bpf_l4_csum_replace(skb, l4_csum_off, old_addr, new_addr, BPF_F_PSEUDO_HDR | sizeof(new_addr));
    bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_addr, new_addr, sizeof(new_addr));
    bpf_skb_store_bytes(skb, IP_DST_OFF, &new_addr, sizeof(new_addr), 0);

    __be16 new_port = port_to;
    if (new_port) {
        __be16 old_port;
        if (bpf_skb_load_bytes(skb, l4_port_off, &old_port, sizeof(old_port)) < 0)
            return TC_ACT_SHOT;
        bpf_l4_csum_replace(skb, l4_csum_off, old_port, new_port, sizeof(new_port));
        bpf_skb_store_bytes(skb, l4_port_off, &new_port, sizeof(new_port), 0);
    }

    /* The helpers may have moved the packet: check again before touching it directly. */
    data = (void *)(long)skb->data;
    end = (void *)(long)skb->data_end;
    ip = data + ETH_HLEN;
    if ((void *)(ip + 1) > end)
        return TC_ACT_SHOT;
    return ip->daddr == new_addr ? TC_ACT_OK : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
