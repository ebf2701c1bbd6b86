/*
 * tailcall.c: a prog array with initial slots and bpf_tail_call.
 *
 * Exercises: BPF_MAP_TYPE_PROG_ARRAY declared with __array(values, ...) whose initializer puts
 * `stage_one` in slot 0 and `stage_two` in slot 2 (libbpf fills these after loading); the entry
 * program tail-calls slot cb[0]; stage_one tail-calls slot 2; a failed tail call falls through.
 * Verdicts: entry 1 (TC_ACT_SHOT) when the call fails, stage_one 2 if its call fails, stage_two 0.
 */
#include "common.h"

int stage_one(struct __sk_buff *skb);
int stage_two(struct __sk_buff *skb);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, int (void *));
} jump_table SEC(".maps") = {
    .values = {
        [0] = (void *)&stage_one,
        [2] = (void *)&stage_two,
    },
};

SEC("tc")
int stage_two(struct __sk_buff *skb)
{
    skb->mark += 0x200;
    return TC_ACT_OK;
}

SEC("tc")
int stage_one(struct __sk_buff *skb)
{
    skb->mark += 0x10;
    bpf_tail_call(skb, &jump_table, 2);
    return TC_ACT_RECLASSIFY;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
    skb->mark = 1;
    bpf_tail_call(skb, &jump_table, skb->cb[0]);
    return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
