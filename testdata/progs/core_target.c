/*
 * core_target.c: the "kernel" side of the CO-RE unit tests. Its .BTF is used as the target BTF
 * that core_kinds.o's relocations resolve against, so every expected value follows from the
 * layouts below (offsets in the comments), and a function named like a kfunc whose prototype
 * differs from the kernel's. Not meant for a kernel.
 */
#include "common.h"

struct core_nested {
    __u32 x;                       /* 0 */
    __u32 y;                       /* 4 */
};

struct core_thing {
    __u64 pad;                     /* 0 */
    __u16 small;                   /* 8 */
    __s32 sval;                    /* 12 */
    union {                        /* 16 */
        struct {
            __u32 inner_a;         /* 16 */
            __u32 inner_b;         /* 20 */
        };
        __u64 both;
    };
    __u32 arr[4];                  /* 24 */
    __u32 lo:3, mid:7, hi:22;      /* 40: bits 0-2, 3-9, 10-31 */
    __s32 neg:5;                   /* 44: bits 0-4 */
    struct core_nested nested;     /* 48 */
    __u32 tail[];                  /* 56 */
};

enum core_color { CORE_RED = 10, CORE_GREEN = 20, CORE_BLUE = 30 };

struct core_only_target {
    __u32 a;                       /* 0 */
    __u64 b;                       /* 8, size 16 */
};

/* Declared first so that struct core_thing's type id here differs from core_kinds.o's. */
struct core_padding_types {
    __u64 a, b;
    struct { int c; } d;
} padding_holder;

enum core_big { CORE_SMALL = 1, CORE_BIG = 0x500000007ULL };

struct core_arrays {
    __u32 arr2[4];
};

typedef struct core_arrays core_arrays_t;

struct core_thing thing_holder;
enum core_big big_holder;
core_arrays_t arrays_holder;
enum core_color color_holder;
struct core_only_target only_holder;

/* Named like a kfunc, with another prototype: core_sections.o's extern must not match it. */
__noinline int bpf_cast_to_kern_ctx(int a, int b)
{
    return a + b;
}

SEC("tc")
int hold_types(struct __sk_buff *skb)
{
    return bpf_cast_to_kern_ctx(skb->len, 1) + padding_holder.d.c + thing_holder.small + color_holder + only_holder.a + big_holder
        + arrays_holder.arr2[0];
}

char LICENSE[] SEC("license") = "GPL";
