/*
 * maps_tailcall.c: tail calls from the entry function and from bpf-to-bpf sub-functions.
 *
 * Exercises: the kernel's limit of 33 tail calls per run (`loop_main` tail-calls itself through
 * slot 0 and counts its runs in `runs`: 34); a tail call made inside a static __noinline function,
 * where the target replaces the sub-function's frame and its r0 comes back to the sub-function's
 * caller (`chain` re-enters itself through slot 2 for five runs, each adding 100 to what `hop`
 * returned; packet byte 0 set to 1 picks slot 1 instead, where a test may put `stamp`, returning 7);
 * and the verifier's rule that callers of a tail-calling sub-function hold less than 256 bytes of
 * stack: `deep` (320 bytes) is refused, `shallow` (64 bytes) loads. Those two live in sections
 * libbpf does not know, so only a loader told to treat such sections as tc (iproute2's rule) sees
 * them and ordinary loads of this object succeed.
 */
#include "common.h"

int loop_main(struct __sk_buff *skb);
int chain(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int (void *));
} jump SEC(".maps") = {
    .values = { [0] = (void *)&loop_main, [2] = (void *)&chain },
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} runs SEC(".maps");

static __always_inline __u64 count(__u32 which)
{
    __u64 *n = bpf_map_lookup_elem(&runs, &which);
    return n ? __sync_add_and_fetch(n, 1) : 0;
}

SEC("tc")
int loop_main(struct __sk_buff *skb)
{
    count(0);
    bpf_tail_call(skb, &jump, 0);
    return 1;
}

static __noinline int hop(struct __sk_buff *skb, __u32 slot)
{
    bpf_tail_call(skb, &jump, slot);
    /* cb[1] is 0, but clang cannot know it: hop's result must not fold into its callers' arithmetic */
    return skb->cb[1] + 1;
}

SEC("tc")
int chain(struct __sk_buff *skb)
{
    __u8 *data = (void *)(long)skb->data;
    __u8 *end = (void *)(long)skb->data_end;

    if (data + 1 > end)
        return -1;
    __u64 n = count(1);
    __u32 slot = data[0] == 1 ? 1 : n < 5 ? 2 : 3;
    return hop(skb, slot) + 100;
}

SEC("tc")
int stamp(struct __sk_buff *skb)
{
    return 7;
}

SEC("tcxsim_stack/deep")
int deep(struct __sk_buff *skb)
{
    __u8 buf[320];

    if (bpf_skb_load_bytes(skb, 0, buf, sizeof(buf)))
        return -1;
    return buf[0] + buf[sizeof(buf) - 1] + hop(skb, 3);
}

SEC("tcxsim_stack/shallow")
int shallow(struct __sk_buff *skb)
{
    __u8 buf[64];

    if (bpf_skb_load_bytes(skb, 0, buf, sizeof(buf)))
        return -1;
    return buf[0] + buf[sizeof(buf) - 1] + hop(skb, 3);
}

char LICENSE[] SEC("license") = "GPL";
