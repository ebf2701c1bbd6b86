/*
 * core_skb.c: a tc program written against local "___v1" flavors of kernel types (__sk_buff,
 * ethhdr, iphdr) that list only the fields it uses, in an order of their own, so every access
 * needs CO-RE to land on the kernel's real offsets. Exercises: context loads, packet loads and a
 * packet store through relocated offsets, a field-existence check that is false on the target
 * (its guarded read is poisoned, dead code for the kernel's verifier), type size. The tests run
 * it on the simulator and, relocated by tcxsim's loader, on the real kernel.
 */
#include "common.h"
#include <bpf/bpf_core_read.h>

struct __sk_buff___v1 {
    __u32 protocol;
    __u32 mark;
    __u32 len;
    __u32 data;
    __u32 data_end;
} __attribute__((preserve_access_index));

struct ethhdr___v1 {
    __be16 h_proto;
} __attribute__((preserve_access_index));

struct iphdr___v1 {
    __be32 daddr;
    __u8 protocol;
    __u8 ttl;
    __u32 no_such_field;
} __attribute__((preserve_access_index));

SEC("tc")
int core_skb(struct __sk_buff *ctx)
{
    struct __sk_buff___v1 *skb = (void *)ctx;
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct ethhdr___v1 *eth = data;
    struct iphdr___v1 *ip = data + bpf_core_type_size(struct ethhdr___v1);
    if (data + 34 > end)
        return 1;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return 2;
    if (bpf_core_field_exists(ip->no_such_field) && ip->no_such_field == 1)
        return 3;
    if (ip->ttl > 1)
        ip->ttl = ip->ttl - 1;
    return (skb->len & 0xff) | ip->protocol << 8 | (bpf_ntohl(ip->daddr) & 0xff) << 16 | (skb->mark & 0x7f) << 24;
}

char LICENSE[] SEC("license") = "GPL";
