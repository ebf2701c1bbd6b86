/*
 * cb_foreach.c: bpf_for_each_map_elem over an array and a hash map.
 *
 * Exercises: the callback's (map, key, value, ctx) arguments (sums of keys and values), a
 * callback that stops the walk with 1 (the helper returns the calls made, the stopping one
 * included; the stop depends on the key, not on a count, which the kernel's verifier would
 * follow through every iteration), writes through the value pointer, bpf_map_delete_elem of the current element from
 * the callback (the walk goes on), flags != 0 (-EINVAL). Hash sums do not depend on the order in
 * which the kernel walks its buckets. Values depend on skb->len.
 */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} arr SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} hmap SEC(".maps");

struct results {
    __s64 arr_calls, arr_keys, arr_values;
    __s64 arr_stop_ret, arr_stop_seen;
    __s64 arr_after_write;
    __s64 hash_calls, hash_keys, hash_values;
    __s64 hash_stop_ret;
    __s64 delete_calls, calls_after_delete;
    __s64 einval;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct results);
} out SEC(".maps");

struct sums {
    __s64 calls, keys, values;
    __u32 stop_key;
};

static long sum_cb(void *map, __u32 *key, __u64 *val, struct sums *s)
{
    s->calls++;
    s->keys += *key;
    s->values += *val;
    return 0;
}

static long stop_cb(void *map, __u32 *key, __u64 *val, struct sums *s)
{
    s->calls++;
    return *key == s->stop_key ? 1 : 0;
}

static long first_cb(void *map, __u32 *key, __u64 *val, void *ctx)
{
    return 1;
}

static long bump_cb(void *map, __u32 *key, __u64 *val, void *ctx)
{
    *val += 1000;
    return 0;
}

static long delete_cb(void *map, __u32 *key, __u64 *val, struct sums *s)
{
    s->calls++;
    bpf_map_delete_elem(map, key);
    return 0;
}

SEC("tc")
int foreach_rules(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct results *r = bpf_map_lookup_elem(&out, &zero);
    if (!r)
        return 1;
    __u64 len = skb->len;

    for (__u32 i = 0; i < 8; i++) {
        __u64 v = len * (i + 1);
        bpf_map_update_elem(&arr, &i, &v, BPF_ANY);
    }
    for (__u32 k = 10; k < 15; k++) {
        __u64 v = len + k;
        bpf_map_update_elem(&hmap, &k, &v, BPF_ANY);
    }

    struct sums a = {};
    r->arr_calls = bpf_for_each_map_elem(&arr, sum_cb, &a, 0);
    r->arr_keys = a.keys;
    r->arr_values = a.values;

    struct sums stop = { .stop_key = len & 3 };
    r->arr_stop_ret = bpf_for_each_map_elem(&arr, stop_cb, &stop, 0);
    r->arr_stop_seen = stop.calls;

    bpf_for_each_map_elem(&arr, bump_cb, NULL, 0);
    __u32 three = 3;
    __u64 *v3 = bpf_map_lookup_elem(&arr, &three);
    r->arr_after_write = v3 ? *v3 : -1;

    struct sums h = {};
    r->hash_calls = bpf_for_each_map_elem(&hmap, sum_cb, &h, 0);
    r->hash_keys = h.keys;
    r->hash_values = h.values;

    r->hash_stop_ret = bpf_for_each_map_elem(&hmap, first_cb, NULL, 0);

    struct sums del = {};
    r->delete_calls = bpf_for_each_map_elem(&hmap, delete_cb, &del, 0);
    struct sums after = {};
    r->calls_after_delete = bpf_for_each_map_elem(&hmap, sum_cb, &after, 0);

    struct sums bad = {};
    r->einval = bpf_for_each_map_elem(&arr, sum_cb, &bad, len & 0 ? 0 : 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
