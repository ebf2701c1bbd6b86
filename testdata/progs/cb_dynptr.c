/*
 * cb_dynptr.c: dynamic pointers on the skb.
 *
 * Exercises: the kfuncs bpf_dynptr_from_skb (flags != 0: -EINVAL and a null dynptr),
 * bpf_dynptr_slice (a pointer into the packet; NULL past its end) and bpf_dynptr_slice_rdwr
 * (a writable pointer, no buffer); the helpers bpf_dynptr_read and bpf_dynptr_write with their
 * errors (-EINVAL for flags or a null dynptr, -E2BIG past the end). Writes 4 bytes at offset 20
 * and one at 30 of the packet.
 */
#include "common.h"

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
                              __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt,
                                   __u32 buffer__szk) __ksym;

struct results {
    __s64 from_ret, bad_flags_ret;
    __s64 read_ret, read_bad_flags, read_e2big, read_null;
    __s64 write_ret, write_e2big, write_bad_flags, write_null;
    __s64 slice_ok, eth_proto, slice_past_end, rdwr_ok;
    __u64 read_bytes;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct results);
} out SEC(".maps");

SEC("tc")
int dynptr_rules(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct results *r = bpf_map_lookup_elem(&out, &zero);
    if (!r)
        return 1;
    __u32 len = skb->len;
    struct bpf_dynptr p, bad;
    r->from_ret = bpf_dynptr_from_skb(skb, 0, &p);
    r->bad_flags_ret = bpf_dynptr_from_skb(skb, 1, &bad);

    __u64 buf = 0;
    r->read_ret = bpf_dynptr_read(&buf, 8, &p, 6, 0);
    r->read_bytes = buf;
    r->read_bad_flags = bpf_dynptr_read(&buf, 8, &p, 0, 1);
    r->read_e2big = bpf_dynptr_read(&buf, 8, &p, len - 4, 0);
    r->read_null = bpf_dynptr_read(&buf, 8, &bad, 0, 0);

    __u32 word = 0xefbeadde;
    r->write_ret = bpf_dynptr_write(&p, 20, &word, 4, 0);
    r->write_e2big = bpf_dynptr_write(&p, len - 2, &word, 4, 0);
    r->write_bad_flags = bpf_dynptr_write(&p, 0, &word, 4, 4);
    r->write_null = bpf_dynptr_write(&bad, 0, &word, 4, 0);

    __u8 sbuf[14];
    struct ethhdr *eth = bpf_dynptr_slice(&p, 0, sbuf, sizeof(sbuf));
    if (eth) {
        r->slice_ok = 1;
        r->eth_proto = eth->h_proto;
    }
    __u64 tail[1];
    r->slice_past_end = bpf_dynptr_slice(&p, len - 4, tail, sizeof(tail)) == NULL;
    __u8 *rw = bpf_dynptr_slice_rdwr(&p, 30, NULL, 2);
    if (rw) {
        rw[0] = 0x77;
        r->rdwr_ok = 1;
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
