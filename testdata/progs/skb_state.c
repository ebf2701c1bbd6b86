/*
 * skb_state.c: the helpers that read or set skb state without resizing the packet, each driven by
 * arguments the test passes in cb[] (BPF_PROG_TEST_RUN's ctx_in); results come back in r0, cb[]
 * (ctx_out) and the packet.
 *
 * Exercises: bpf_csum_level, bpf_csum_update, bpf_skb_ecn_set_ce, bpf_set_hash, bpf_set_hash_invalid,
 * bpf_get_hash_recalc, bpf_skb_load_bytes_relative, bpf_ktime_get_boot_ns, bpf_ktime_get_coarse_ns,
 * bpf_jiffies64, bpf_probe_read_kernel(_str), bpf_probe_read_user(_str), bpf_get_socket_cookie,
 * bpf_skb_cgroup_id, bpf_get_current_task, bpf_skb_get/set_tunnel_key, bpf_skb_get/set_tunnel_opt,
 * bpf_check_mtu, bpf_clone_redirect, bpf_fib_lookup and bpf_skb_set_tstamp. skb_refused.c holds the helpers the kernel does not offer
 * tc programs.
 */
#include "common.h"

/* Helpers newer than the installed uapi header (Linux 6.3). */
static long (*check_mtu)(struct __sk_buff *skb, __u32 ifindex, __u32 *mtu_len, __s32 len_diff,
                         __u64 flags) = (void *)163;
static __u64 (*ktime_get_coarse_ns)(void) = (void *)160;
static long (*skb_set_tstamp)(struct __sk_buff *skb, __u64 tstamp, __u32 tstamp_type) = (void *)192;

/* Up to four bpf_csum_level calls, one level per byte of cb[0] (value + 1; 0 stops); then a QUERY. cb[1] = the query, cb[2] = bpf_csum_update(cb[3]). */
SEC("tc")
int csum_level(struct __sk_buff *skb)
{
    __u32 ops = skb->cb[0];
    long rc = 0;
    for (int i = 0; i < 4; i++) {
        __u32 op = (ops >> (8 * i)) & 0xff;
        if (!op)
            break;
        rc = bpf_csum_level(skb, op - 1);
    }
    skb->cb[1] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
    skb->cb[2] = bpf_csum_update(skb, skb->cb[3]);
    return rc;
}

SEC("tc")
int ecn_set_ce(struct __sk_buff *skb)
{
    return bpf_skb_ecn_set_ce(skb);
}

/* For a packet with CHECKSUM_COMPLETE: ecn_set_ce, then cb[0] = skb->csum (csum_update by 0). */
SEC("tc")
int ecn_csum(struct __sk_buff *skb)
{
    long rc = bpf_skb_ecn_set_ce(skb);
    skb->cb[0] = bpf_csum_update(skb, 0);
    return rc;
}

/* set_hash(cb[0]); cb[1] = recalc; set_hash_invalid; cb[2] = skb->hash; cb[3] = recalc != 0; cb[4] = skb->hash == that. */
SEC("tc")
int hash(struct __sk_buff *skb)
{
    bpf_set_hash(skb, skb->cb[0]);
    skb->cb[1] = bpf_get_hash_recalc(skb);
    bpf_set_hash_invalid(skb);
    skb->cb[2] = skb->hash;
    __u32 h = bpf_get_hash_recalc(skb);
    skb->cb[3] = h != 0;
    skb->cb[4] = skb->hash == h;
    return 0;
}

/* cb[0] offset, cb[1] start header; cb[2], cb[3] = the 8 bytes read (zero on failure). */
SEC("tc")
int load_relative(struct __sk_buff *skb)
{
    __u32 buf[2] = {0x55555555, 0x55555555};
    long rc = bpf_skb_load_bytes_relative(skb, skb->cb[0], buf, 8, skb->cb[1]);
    skb->cb[2] = buf[0];
    skb->cb[3] = buf[1];
    return rc;
}

/* cb[0] = boot >= mono, cb[1]/cb[2] = jiffies64 low/high, cb[3]/cb[4] = ktime_get_ns low/high (taken right after). */
SEC("tc")
int clocks(struct __sk_buff *skb)
{
    __u64 mono = bpf_ktime_get_ns();
    __u64 boot = bpf_ktime_get_boot_ns();
    __u64 j = bpf_jiffies64();
    __u64 now = bpf_ktime_get_ns();
    skb->cb[0] = boot >= mono;
    skb->cb[1] = j;
    skb->cb[2] = j >> 32;
    skb->cb[3] = now;
    skb->cb[4] = now >> 32;
    return 0;
}

/* cb[0] = probe_read_kernel of a stack string, cb[1] = its first word, cb[2] = probe_read_kernel of NULL, cb[3] = probe_read_kernel_str, cb[4] = probe_read_user of the stack. */
SEC("tc")
int probe(struct __sk_buff *skb)
{
    char src[8] = "abc";
    char dst[8] = {};
    skb->cb[0] = bpf_probe_read_kernel(dst, sizeof(dst), src);
    skb->cb[1] = *(__u32 *)dst;
    skb->cb[2] = bpf_probe_read_kernel(dst, sizeof(dst), (void *)0);
    skb->cb[3] = bpf_probe_read_kernel_str(dst, sizeof(dst), src);
    skb->cb[4] = bpf_probe_read_user(dst, sizeof(dst), src);
    return bpf_probe_read_user_str(dst, sizeof(dst), src);
}

/* cb[0] = socket cookie != 0, cb[1] = cgroup id != 0, cb[2] = current task != 0. */
SEC("tc")
int no_socket(struct __sk_buff *skb)
{
    skb->cb[0] = bpf_get_socket_cookie(skb) != 0;
    skb->cb[1] = bpf_skb_cgroup_id(skb) != 0;
    skb->cb[2] = bpf_get_current_task() != 0;
    return 0;
}

/*
 * The tunnel key round trip with a key of KEY_SIZE bytes and OPT_SIZE option bytes (0: no
 * set_tunnel_opt); the sizes are constants per program, as the verifier wants them. cb[0] = set
 * flags, cb[1] = get flags. r0 = get_tunnel_key before any set; cb[0] = set rc, cb[1] = get rc,
 * cb[2] = remote_ipv4 (remote_ipv6[0]), cb[3] = local_ipv4 (local_ipv6[0]), cb[4] = a mix of the
 * other fields read back. The set_tunnel_opt rc goes to mark, the get_tunnel_opt rc to priority.
 */
static __always_inline long tunnel_run(struct __sk_buff *skb, const __u32 key_size, const __u32 opt_size)
{
    struct bpf_tunnel_key key = {};
    __u32 opts[4] = {0x01020304, 0x05060708, 0x090a0b0c, 0x0d0e0f10};
    __u32 back[4] = {};
    __u32 set_flags = skb->cb[0], get_flags = skb->cb[1];
    long first = bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0);

    key.tunnel_id = 0xabcdef;
    key.tunnel_tos = 0x10;
    key.tunnel_ttl = 33;
    key.tunnel_label = (set_flags & BPF_F_TUNINFO_IPV6) ? 0x12345678 : 0;
    key.remote_ipv6[0] = 0x0a000001;
    key.remote_ipv6[1] = 0x20;
    key.remote_ipv6[3] = 0x30;
    key.local_ipv6[0] = 0x0a000002;
    key.local_ipv6[2] = 0x40;
    long set = bpf_skb_set_tunnel_key(skb, &key, key_size, set_flags);
    if (opt_size) {
        skb->mark = bpf_skb_set_tunnel_opt(skb, opts, opt_size);
        skb->priority = bpf_skb_get_tunnel_opt(skb, back, sizeof(back));
    }
    __builtin_memset(&key, 0xee, sizeof(key));
    skb->cb[1] = bpf_skb_get_tunnel_key(skb, &key, sizeof(key), get_flags);
    skb->cb[0] = set;
    skb->cb[2] = key.remote_ipv6[0];
    skb->cb[3] = key.local_ipv6[0];
    skb->cb[4] = key.tunnel_id ^ (__u32)key.tunnel_tos << 8 ^ (__u32)key.tunnel_ttl << 16
                 ^ (__u32)key.tunnel_ext << 24 ^ key.tunnel_label ^ key.remote_ipv6[1] ^ key.local_ipv6[2] ^ back[1];
    return first;
}

SEC("tc")
int tunnel(struct __sk_buff *skb)
{
    return tunnel_run(skb, 44, 0);
}

/* The older, shorter struct bpf_tunnel_key layouts, and one size the kernel does not know (40). */
SEC("tc")
int tunnel28(struct __sk_buff *skb)
{
    return tunnel_run(skb, 28, 0);
}

SEC("tc")
int tunnel8(struct __sk_buff *skb)
{
    return tunnel_run(skb, 8, 0);
}

SEC("tc")
int tunnel40(struct __sk_buff *skb)
{
    return tunnel_run(skb, 40, 0);
}

SEC("tc")
int tunnel_opt(struct __sk_buff *skb)
{
    return tunnel_run(skb, 44, 16);
}

/* Option bytes must come in 4-byte words. */
SEC("tc")
int tunnel_opt6(struct __sk_buff *skb)
{
    return tunnel_run(skb, 44, 6);
}

/* cb[0] = coarse <= fine, cb[1] = fine - coarse (ns) when coarse <= fine. */
SEC("tc")
int coarse(struct __sk_buff *skb)
{
    __u64 c = ktime_get_coarse_ns();
    __u64 fine = bpf_ktime_get_ns();
    skb->cb[0] = c <= fine;
    skb->cb[1] = c <= fine ? fine - c : 0;
    return 0;
}

/* cb[0]/cb[1] tstamp low/high, cb[2] clock; cb[3] = tstamp_type afterwards. */
SEC("tc")
int set_tstamp(struct __sk_buff *skb)
{
    long rc = skb_set_tstamp(skb, (__u64)skb->cb[1] << 32 | skb->cb[0], skb->cb[2]);
    skb->cb[3] = skb->tstamp_type;
    return rc;
}

/* cb[0] ifindex, cb[1] mtu_len in, cb[2] len_diff, cb[3] flags; cb[4] = mtu_len out. */
SEC("tc")
int mtu(struct __sk_buff *skb)
{
    __u32 mtu_len = skb->cb[1];
    long rc = check_mtu(skb, skb->cb[0], &mtu_len, (__s32)skb->cb[2], skb->cb[3]);
    skb->cb[4] = mtu_len;
    return rc;
}

/* cb[0] ifindex, cb[1] flags. */
SEC("tc")
int clone_redirect(struct __sk_buff *skb)
{
    return bpf_clone_redirect(skb, skb->cb[0], skb->cb[1]);
}

/*
 * bpf_fib_lookup: cb[0] family, cb[1] ifindex, cb[2] flags, cb[3] bit 0: link-local IPv6 destination;
 * the destination is 10.1.2.3 or 2001:db8::1. cb[4] = the ifindex field afterwards.
 */
static __always_inline long fib_run(struct __sk_buff *skb, const int plen)
{
    struct bpf_fib_lookup p = {};
    p.family = skb->cb[0];
    p.ifindex = skb->cb[1];
    p.l4_protocol = IPPROTO_UDP;
    if (p.family == 10) {
        p.ipv6_dst[0] = bpf_htonl(skb->cb[3] & 1 ? 0xfe800000 : 0x20010db8);
        p.ipv6_dst[3] = bpf_htonl(1);
    } else {
        p.ipv4_dst = bpf_htonl(0x0a010203);
    }
    long rc = bpf_fib_lookup(skb, &p, plen, skb->cb[2]);
    skb->cb[4] = p.ifindex;
    return rc;
}

SEC("tc")
int fib(struct __sk_buff *skb)
{
    return fib_run(skb, sizeof(struct bpf_fib_lookup));
}

/* A params length shorter than struct bpf_fib_lookup. */
SEC("tc")
int fib_short(struct __sk_buff *skb)
{
    return fib_run(skb, 60);
}

char LICENSE[] SEC("license") = "GPL";
