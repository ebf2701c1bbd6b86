/*
 * cb_sockets.c: socket lookups from tc, which the simulator models as finding nothing.
 *
 * Exercises: bpf_sk_lookup_tcp, bpf_sk_lookup_udp and bpf_skc_lookup_tcp on the packet's IPv4
 * tuple (none finds a socket under BPF_PROG_TEST_RUN), and the calls that need a socket:
 * bpf_sk_release, bpf_tcp_check_syncookie and bpf_tcp_gen_syncookie, reached only when a
 * lookup found one. Returns 0x10 | 0x20 | 0x40 for three NULL lookups.
 */
#include "common.h"

SEC("tc")
int socket_lookups(struct __sk_buff *skb)
{
    struct bpf_sock_tuple t = {};
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct iphdr *ip = data + sizeof(struct ethhdr);
    struct tcphdr *th = data + sizeof(struct ethhdr) + sizeof(struct iphdr);
    if ((void *)(th + 1) > data_end)
        return 1;
    t.ipv4.saddr = ip->saddr;
    t.ipv4.daddr = ip->daddr;
    t.ipv4.sport = th->source;
    t.ipv4.dport = th->dest;
    int rc = 0;

    struct bpf_sock *sk = bpf_sk_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
    if (sk) {
        rc |= 1;
        rc |= bpf_tcp_check_syncookie(sk, ip, sizeof(*ip), th, sizeof(*th)) == 0 ? 2 : 0;
        __s64 cookie = bpf_tcp_gen_syncookie(sk, ip, sizeof(*ip), th, sizeof(*th));
        rc |= cookie > 0 ? 4 : 0;
        bpf_sk_release(sk);
    } else {
        rc |= 0x10;
    }
    sk = bpf_sk_lookup_udp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
    if (sk)
        bpf_sk_release(sk);
    else
        rc |= 0x20;
    sk = bpf_skc_lookup_tcp(skb, &t, sizeof(t.ipv4), BPF_F_CURRENT_NETNS, 0);
    if (sk)
        bpf_sk_release(sk);
    else
        rc |= 0x40;
    return rc;
}

char LICENSE[] SEC("license") = "GPL";
