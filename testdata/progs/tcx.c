/*
 * tcx.c: programs for both tcx hooks in one object.
 *
 * Exercises: SEC("tcx/ingress") and SEC("tcx/egress") (program type SCHED_CLS with expected
 * attach types BPF_TCX_INGRESS / BPF_TCX_EGRESS), a shared BTF-defined PERCPU_ARRAY counting
 * per direction, returning TCX_NEXT and TCX_PASS.
 */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 2);
} dir_counts SEC(".maps");

static __always_inline void count(__u32 dir)
{
    __u64 *n = bpf_map_lookup_elem(&dir_counts, &dir);
    if (n)
        (*n)++;
}

SEC("tcx/ingress")
int tcx_in(struct __sk_buff *skb)
{
    count(0);
    return -1; /* TCX_NEXT */
}

SEC("tcx/egress")
int tcx_out(struct __sk_buff *skb)
{
    count(1);
    return 0; /* TCX_PASS */
}

char LICENSE[] SEC("license") = "GPL";
