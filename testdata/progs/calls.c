/*
 * calls.c: BPF-to-BPF calls.
 *
 * Exercises: static __noinline sub-programs in .text that call each other (nested three deep),
 * each with its own stack frame, and values kept in callee-saved registers r6-r9 across calls;
 * a global (non-static) function, which the verifier checks on its own; two programs in one
 * section ("tc") that share sub-programs, so each gets its own appended copy.
 * sum_calls returns (((len & 0xff) * 3 + 7) * 2 + 5) ^ (len & 0xff) plus global_add(len & 0xff, 1);
 * mark_calls sets skb->mark to mix3(len & 0xf, protocol & 0xf, 3) + 2 * priority.
 */
#include "common.h"

static __noinline int times_two_plus(int x, int y)
{
    volatile int frame[4] = { x, y, x + y, x - y };
    return frame[0] * 2 + frame[1];
}

static __noinline int scale(int x)
{
    volatile char scratch[24];
    scratch[0] = (char)x;
    scratch[23] = 7;
    return x * 3 + scratch[23];
}

static __noinline int nest(int x)
{
    int a = scale(x);              /* x is live across the call: kept in r6 */
    int b = times_two_plus(a, 5);
    return b ^ x;
}

__noinline int global_add(int a, int b)
{
    return a + b;
}

static __noinline __u32 mix3(__u32 a, __u32 b, __u32 c)
{
    return (a << 8) | (b << 4) | c;
}

SEC("tc")
int sum_calls(struct __sk_buff *skb)
{
    int len = skb->len & 0xff;
    int r = nest(len);
    return r + global_add(len, 1);
}

SEC("tc")
int mark_calls(struct __sk_buff *skb)
{
    skb->mark = mix3(skb->len & 0xf, skb->protocol & 0xf, 3) + (__u32)times_two_plus(skb->priority, 0);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
