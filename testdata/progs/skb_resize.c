/*
 * skb_resize.c: the helpers that grow, shrink and re-layout the packet, each driven by arguments
 * the test passes in cb[] (BPF_PROG_TEST_RUN's ctx_in), so one program covers the kernel's checks
 * and errnos. Results come back in r0 (the helper's return), in cb[] (ctx_out) and in the packet.
 *
 * Exercises: bpf_skb_change_tail, bpf_skb_change_head, bpf_skb_pull_data, bpf_skb_adjust_room
 * (NET and MAC modes, the ENCAP/DECAP/FIXED_GSO/NO_CSUM_RESET flags), bpf_skb_change_proto,
 * bpf_skb_change_type, bpf_skb_vlan_push and bpf_skb_vlan_pop (the vlan_* context fields), and
 * skb->csum of a CHECKSUM_COMPLETE packet across adjust_room (read back with bpf_csum_update).
 */
#include "common.h"

/* Newer than the installed uapi header (Linux 6.3). */
#define ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)

static __always_inline __u64 flags64(__u32 lo, __u32 hi)
{
    return (__u64)hi << 32 | lo;
}

/* cb[0] new length, cb[1]/cb[2] flags; cb[3] = len afterwards. */
SEC("tc")
int change_tail(struct __sk_buff *skb)
{
    long rc = bpf_skb_change_tail(skb, skb->cb[0], flags64(skb->cb[1], skb->cb[2]));
    skb->cb[3] = skb->len;
    return rc;
}

/* cb[0] head room, cb[1]/cb[2] flags; cb[3] = len afterwards, cb[4] = first 4 bytes at the network header. */
SEC("tc")
int change_head(struct __sk_buff *skb)
{
    __u32 word = 0;
    long rc = bpf_skb_change_head(skb, skb->cb[0], flags64(skb->cb[1], skb->cb[2]));
    skb->cb[3] = skb->len;
    bpf_skb_load_bytes_relative(skb, 0, &word, 4, BPF_HDR_START_NET);
    skb->cb[4] = word;
    return rc;
}

/* cb[0] length to pull; cb[1] = data_end - data afterwards. */
SEC("tc")
int pull_data(struct __sk_buff *skb)
{
    long rc = bpf_skb_pull_data(skb, skb->cb[0]);
    skb->cb[1] = skb->data_end - skb->data;
    return rc;
}

/*
 * cb[0] len_diff, cb[1] mode, cb[2]/cb[3] flags; cb[4] = protocol | network header's first byte << 16.
 * A second call with the same arguments runs when cb[1] has bit 31 set (mode without it); its result
 * goes to cb[3] and the first one to r0.
 */
SEC("tc")
int adjust_room(struct __sk_buff *skb)
{
    __u8 first = 0;
    __u32 mode = skb->cb[1] & 0x7fffffff;
    __u64 flags = flags64(skb->cb[2], skb->cb[3]);
    long rc = bpf_skb_adjust_room(skb, (__s32)skb->cb[0], mode, flags);
    if (skb->cb[1] & 0x80000000)
        skb->cb[3] = bpf_skb_adjust_room(skb, (__s32)skb->cb[0], mode, flags);
    bpf_skb_load_bytes_relative(skb, 0, &first, 1, BPF_HDR_START_NET);
    skb->cb[4] = skb->protocol | (__u32)first << 16;
    return rc;
}

/* For a CHECKSUM_COMPLETE packet: adjust_room(cb[0], cb[1], cb[2]); cb[3] = skb->csum afterwards (csum_update by 0). */
SEC("tc")
int adjust_csum(struct __sk_buff *skb)
{
    long rc = bpf_skb_adjust_room(skb, (__s32)skb->cb[0], skb->cb[1], skb->cb[2]);
    skb->cb[3] = bpf_csum_update(skb, 0);
    return rc;
}

/* An encapsulating grow, then cb[0]: 1 = change_tail to len + 4, 2 = decap shrink and encap again. r0 = first rc, cb[1] = second, cb[2] = third. */
SEC("tc")
int encap_then(struct __sk_buff *skb)
{
    __u64 encap = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L4_UDP;
    long rc = bpf_skb_adjust_room(skb, 28, BPF_ADJ_ROOM_MAC, encap);
    if (skb->cb[0] == 1) {
        skb->cb[1] = bpf_skb_change_tail(skb, skb->len + 4, 0);
    } else if (skb->cb[0] == 2) {
        skb->cb[1] = bpf_skb_adjust_room(skb, -28, BPF_ADJ_ROOM_MAC, ADJ_ROOM_DECAP_L3_IPV4);
        skb->cb[2] = bpf_skb_adjust_room(skb, 28, BPF_ADJ_ROOM_MAC, encap);
    }
    return rc;
}

/* cb[0] protocol (__be16), cb[1] flags; cb[2] = protocol afterwards, cb[3] = len. */
SEC("tc")
int change_proto(struct __sk_buff *skb)
{
    long rc = bpf_skb_change_proto(skb, (__be16)skb->cb[0], skb->cb[1]);
    skb->cb[2] = skb->protocol;
    skb->cb[3] = skb->len;
    return rc;
}

/* cb[0] packet type; cb[1] = pkt_type before, cb[2] = after. */
SEC("tc")
int change_type(struct __sk_buff *skb)
{
    skb->cb[1] = skb->pkt_type;
    long rc = bpf_skb_change_type(skb, skb->cb[0]);
    skb->cb[2] = skb->pkt_type;
    return rc;
}

/*
 * Up to three VLAN operations, one per byte of cb[0] from the low end: 1 = push (proto cb[1] low
 * half as __be16, tci cb[1] high half), 2 = push with cb[2]'s halves, 3 = pop, 0 = stop.
 * r0 = the last result, cb[3] = vlan_present | vlan_tci << 8 (24 bits), cb[4] = vlan_proto | protocol << 16.
 */
static __always_inline long vlan_op(struct __sk_buff *skb, __u32 op)
{
    switch (op) {
    case 1:
        return bpf_skb_vlan_push(skb, (__be16)skb->cb[1], skb->cb[1] >> 16);
    case 2:
        return bpf_skb_vlan_push(skb, (__be16)skb->cb[2], skb->cb[2] >> 16);
    case 3:
        return bpf_skb_vlan_pop(skb);
    default:
        return 0;
    }
}

SEC("tc")
int vlan(struct __sk_buff *skb)
{
    __u32 ops = skb->cb[0];
    long rc = vlan_op(skb, ops & 0xff);
    rc |= vlan_op(skb, (ops >> 8) & 0xff);
    rc |= vlan_op(skb, (ops >> 16) & 0xff);
    skb->cb[3] = skb->vlan_present | skb->vlan_tci << 8;
    skb->cb[4] = skb->vlan_proto | skb->protocol << 16;
    return rc;
}

char LICENSE[] SEC("license") = "GPL";
