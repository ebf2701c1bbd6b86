/*
 * callbacks.c: a sub-program passed as a function pointer.
 *
 * Exercises: bpf_loop with a static callback in .text, which clang loads with an LD_IMM64
 * relocated against the callback's symbol (libbpf turns it into BPF_PSEUDO_FUNC with a relative
 * offset, and appends the callback like a called sub-program). sum_to returns 0+1+...+(n-1) for
 * n = skb->len & 15, and sets skb->mark to the number of iterations.
 */
#include "common.h"

struct loop_ctx {
    __u64 sum;
};

static int add_index(__u32 index, void *data)
{
    struct loop_ctx *ctx = data;
    ctx->sum += index;
    return 0;
}

SEC("tc")
int sum_to(struct __sk_buff *skb)
{
    struct loop_ctx ctx = { .sum = 0 };
    long n = bpf_loop(skb->len & 15, add_index, &ctx, 0);
    skb->mark = n;
    return ctx.sum;
}

char LICENSE[] SEC("license") = "GPL";
