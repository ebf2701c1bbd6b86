/*
 * core_kinds.c: one program per kind of CO-RE relocation, on local "___v1" flavors of the types
 * in core_target.c, whose BTF is the target in the tests. Exercises: field byte offset through
 * an anonymous union/struct and into an array ("0:3:2"), byte size, existence, signedness,
 * bitfield shifts, load size adjustment (local u32 read of a target u16), type id local/target,
 * type exists/size/matches, enum value exists/value, and poisoning of a missing field, guarded
 * and unguarded. Not meant for a kernel (its types are not the kernel's).
 */
#include "common.h"
#include <bpf/bpf_core_read.h>

struct core_nested___v1 {
    __u32 y;
} __attribute__((preserve_access_index));

struct core_thing___v1 {
    __u32 small;
    int sval;
    __u32 inner_b;
    __u32 arr[4];
    __u32 mid:7, lo:3, hi:22;
    int neg:5;
    struct core_nested___v1 nested;
    __u32 gone;
} __attribute__((preserve_access_index));

enum core_color___v1 { CORE_RED___v1 = 1, CORE_BLUE___v1 = 3, CORE_PURPLE___v1 = 4 };

struct core_only_target___v1 {
    __u32 a;
    __u64 b;
} __attribute__((preserve_access_index));

struct core_only_target___v2 {
    __u16 a;
} __attribute__((preserve_access_index));

enum core_big___v1 { CORE_BIG___v1 = 0x100000000ULL, CORE_HUGE___v1 = 0x200000000ULL };

struct core_arrays___v1 {
    __u32 arr2[8];
} __attribute__((preserve_access_index));

typedef struct core_arrays___v1 core_arrays_t___v1;

struct core_missing___v1 {
    int z;
} __attribute__((preserve_access_index));

SEC("tc")
int offsets(struct __sk_buff *skb)
{
    return bpf_core_field_offset(struct core_thing___v1, inner_b)
        | bpf_core_field_offset(struct core_thing___v1, arr[2]) << 8
        | bpf_core_field_offset(struct core_thing___v1, nested.y) << 16;
}

SEC("tc")
int sizes(struct __sk_buff *skb)
{
    return bpf_core_field_size(struct core_thing___v1, small)
        | bpf_core_field_size(struct core_thing___v1, arr) << 8
        | bpf_core_type_size(struct core_thing___v1) << 16
        | bpf_core_type_size(struct core_missing___v1) << 24;
}

SEC("tc")
int existence(struct __sk_buff *skb)
{
    return bpf_core_field_exists(struct core_thing___v1, small)
        | bpf_core_field_exists(struct core_thing___v1, gone) << 1
        | bpf_core_type_exists(struct core_only_target___v1) << 2
        | bpf_core_type_exists(struct core_missing___v1) << 3
        | bpf_core_type_matches(struct core_only_target___v1) << 4
        | bpf_core_type_matches(struct core_only_target___v2) << 5
        | bpf_core_type_matches(struct core_nested___v1) << 6;
}

SEC("tc")
int signedness(struct __sk_buff *skb)
{
    struct core_thing___v1 *t = 0;
    return __builtin_preserve_field_info(t->sval, BPF_FIELD_SIGNED)
        | __builtin_preserve_field_info(t->small, BPF_FIELD_SIGNED) << 1
        | __builtin_preserve_field_info(t->neg, BPF_FIELD_SIGNED) << 2
        | __builtin_preserve_field_info(t->mid, BPF_FIELD_LSHIFT_U64) << 8
        | __builtin_preserve_field_info(t->mid, BPF_FIELD_RSHIFT_U64) << 16;
}

SEC("tc")
int enums(struct __sk_buff *skb)
{
    return bpf_core_enum_value_exists(enum core_color___v1, CORE_BLUE___v1)
        | bpf_core_enum_value_exists(enum core_color___v1, CORE_PURPLE___v1) << 1
        | bpf_core_enum_value(enum core_color___v1, CORE_BLUE___v1) << 8;
}

/* 64-bit enum values come in an LD_IMM64; a typedef root and array bounds on the target. */
SEC("tc")
int wide_and_bounds(struct __sk_buff *skb)
{
    __u64 big = bpf_core_enum_value(enum core_big___v1, CORE_BIG___v1);
    return (int)(big >> 32) | (int)(big & 0xff) << 4
        | bpf_core_enum_value_exists(enum core_big___v1, CORE_HUGE___v1) << 8
        | bpf_core_type_exists(core_arrays_t___v1) << 9
        | bpf_core_field_exists(struct core_arrays___v1, arr2[3]) << 10
        | bpf_core_field_exists(struct core_arrays___v1, arr2[6]) << 11
        | bpf_core_type_size(core_arrays_t___v1) << 16;
}

SEC("tc")
int type_ids(struct __sk_buff *skb)
{
    return bpf_core_type_id_local(struct core_thing___v1) << 16 | bpf_core_type_id_kernel(struct core_thing___v1);
}

/* Reads a struct core_thing laid out by the target at the start of the packet. */
SEC("tc")
int loads(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    if (data + 64 > end)
        return -1;
    struct core_thing___v1 *t = data;
    return t->small + t->inner_b + t->arr[2] + t->nested.y;
}

SEC("tc")
int bitfields(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    if (data + 64 > end)
        return -1;
    struct core_thing___v1 *t = data;
    int neg = BPF_CORE_READ_BITFIELD(t, neg);
    return (BPF_CORE_READ_BITFIELD(t, mid) | BPF_CORE_READ_BITFIELD(t, lo) << 8) + neg * 65536;
}

SEC("tc")
int guarded_gone(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    if (data + 64 > end)
        return -1;
    struct core_thing___v1 *t = data;
    if (bpf_core_field_exists(t->gone))
        return t->gone;
    return 7;
}

SEC("tc")
int unguarded_gone(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    if (data + 64 > end)
        return -1;
    struct core_thing___v1 *t = data;
    return t->gone;
}

char LICENSE[] SEC("license") = "GPL";
