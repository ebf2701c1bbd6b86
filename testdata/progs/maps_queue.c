/*
 * maps_queue.c: BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK driven by a script in the packet.
 *
 * Exercises: bpf_map_push_elem (BPF_ANY, BPF_EXIST overwriting the oldest when full, BPF_NOEXIST
 * refused), bpf_map_pop_elem and bpf_map_peek_elem with their errnos (-ENOENT empty, -E2BIG full,
 * -EINVAL bad flags). Packet bytes 0..7 are the operations (0 skips a step, 1 push, 2 push with
 * BPF_EXIST, 3 pop, 4 peek, 5 push with BPF_NOEXIST), bytes 8..15 the values pushed, byte 16 picks
 * the map (0 the queue, else the stack). Each step's return value goes to `results[i]`, the value a
 * pop or peek wrote to `got[i]`. Returns the number of steps that returned 0.
 */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 3);
    __type(value, __u64);
} fifo SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_STACK);
    __uint(max_entries, 3);
    __type(value, __u64);
} lifo SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __s64);
} results SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} got SEC(".maps");

static __always_inline long step(void *map, __u8 op, __u64 operand, __u64 *out)
{
    switch (op) {
    case 1:
        return bpf_map_push_elem(map, &operand, BPF_ANY);
    case 2:
        return bpf_map_push_elem(map, &operand, BPF_EXIST);
    case 3:
        return bpf_map_pop_elem(map, out);
    case 4:
        return bpf_map_peek_elem(map, out);
    default:
        return bpf_map_push_elem(map, &operand, BPF_NOEXIST);
    }
}

SEC("tc")
int queue_script(struct __sk_buff *skb)
{
    __u8 *data = (void *)(long)skb->data;
    __u8 *end = (void *)(long)skb->data_end;
    int ok = 0;

    if (data + 17 > end)
        return -1;
#pragma clang loop unroll(full)
    for (__u32 i = 0; i < 8; i++) {
        __u8 op = data[i];
        __u64 operand = data[8 + i];
        __u64 out = 0xeeee;
        long rc;

        if (op == 0)
            continue;
        if (data[16] == 0)
            rc = step(&fifo, op, operand, &out);
        else
            rc = step(&lifo, op, operand, &out);
        if (rc == 0)
            ok++;
        __u32 key = i;
        __s64 *r = bpf_map_lookup_elem(&results, &key);
        __u64 *g = bpf_map_lookup_elem(&got, &key);
        if (r)
            *r = rc;
        if (g)
            *g = out;
    }
    return ok;
}

char LICENSE[] SEC("license") = "GPL";
