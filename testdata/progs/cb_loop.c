/*
 * cb_loop.c: bpf_loop's rules, each result kept in one map value so a test reads them all.
 *
 * Exercises: a callback that sums indexes through a context on the caller's stack; a callback
 * that stops the loop by returning 1 (bpf_loop then returns the number of calls); flags != 0
 * (-EINVAL) and nr_loops above 1 << 23 (-E2BIG), where the callback never runs; a bpf_loop
 * nested in a callback (three frames deep) that reads the packet length through the context.
 * The loop counts depend on skb->len so the verifier cannot fold them.
 * loop_frames calls bpf_loop from a sub-program (frame 1) whose callback fills its own stack:
 * the callback's frame must lie below the caller's, or the caller's guard value is overwritten.
 */
#include "common.h"

struct results {
    __s64 sum;          /* 0+1+...+(n-1) for n = len & 31 */
    __s64 sum_ret;      /* bpf_loop's return value for that loop */
    __s64 stop_ret;     /* returns after the call with index (len & 7) */
    __s64 stop_calls;   /* calls the stopping callback saw */
    __s64 einval;       /* flags = 1 */
    __s64 e2big;        /* nr_loops = (1 << 23) + (len & 1) + 1: -E2BIG as a u32 (inlined bpf_loop) */
    __s64 e2big_calls;  /* calls made by the refused loops (must stay 0) */
    __s64 nested;       /* sum over i < 3 of (inner loop of len & 3 calls) */
    __s64 max_ok;       /* nr_loops exactly 1 << 23, stopped at once */
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct results);
} out SEC(".maps");

struct sum_ctx {
    __s64 sum;
};

struct stop_ctx {
    __u32 stop_at;
    __s64 calls;
};

struct nest_ctx {
    __u32 inner;
    __s64 total;
};

static int add_index(__u32 index, void *data)
{
    struct sum_ctx *c = data;
    c->sum += index;
    return 0;
}

static int stop_at(__u32 index, void *data)
{
    struct stop_ctx *c = data;
    c->calls++;
    return index == c->stop_at ? 1 : 0;
}

static int count_one(__u32 index, void *data)
{
    struct nest_ctx *c = data;
    c->total++;
    return 0;
}

static int outer(__u32 index, void *data)
{
    struct nest_ctx *c = data;
    bpf_loop(c->inner, count_one, c, 0);
    return 0;
}

SEC("tc")
int loop_rules(struct __sk_buff *skb)
{
    __u32 key = 0;
    struct results *r = bpf_map_lookup_elem(&out, &key);
    if (!r)
        return 1;
    __u32 len = skb->len;

    struct sum_ctx s = { .sum = 0 };
    r->sum_ret = bpf_loop(len & 31, add_index, &s, 0);
    r->sum = s.sum;

    struct stop_ctx st = { .stop_at = len & 7, .calls = 0 };
    r->stop_ret = bpf_loop(20, stop_at, &st, 0);
    r->stop_calls = st.calls;

    struct stop_ctx never = { .stop_at = 0xffffffff, .calls = 0 };
    r->einval = bpf_loop(4, stop_at, &never, 1);
    r->e2big = bpf_loop((1 << 23) + (len & 1) + 1, stop_at, &never, 0);
    r->e2big_calls = never.calls;

    struct nest_ctx n = { .inner = len & 3, .total = 0 };
    bpf_loop(3, outer, &n, 0);
    r->nested = n.total;

    struct stop_ctx first = { .stop_at = 0, .calls = 0 };
    r->max_ok = bpf_loop(1 << 23, stop_at, &first, 0);
    return 0;
}

struct frame_ctx {
    __u64 sum;
};

static int fill_own_stack(__u32 index, struct frame_ctx *c)
{
    volatile __u64 local[8];
    for (int i = 0; i < 8; i++)
        local[i] = 0xdead0000 + index;
    c->sum += local[index & 7] - 0xdead0000 + 1;
    return 0;
}

static __noinline __s64 loop_in_subprogram(__u32 n)
{
    volatile __u64 guard[8];
    for (int i = 0; i < 8; i++)
        guard[i] = 0x1122334455667700 + i;
    struct frame_ctx c = { .sum = 0 };
    for (__u32 i = 0; i < n; i++)
        bpf_loop(3, fill_own_stack, &c, 0);
    for (int i = 0; i < 8; i++)
        if (guard[i] != 0x1122334455667700 + i)
            return -1;
    return c.sum;
}

SEC("tc")
int loop_frames(struct __sk_buff *skb)
{
    return loop_in_subprogram(skb->len & 15);
}

char LICENSE[] SEC("license") = "GPL";
