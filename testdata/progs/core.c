/*
 * core.c: an object with a CO-RE relocation, which the loader refuses for now.
 *
 * Exercises: a struct marked preserve_access_index makes clang emit a field-offset CO-RE
 * relocation (access string "0:1" for ->mark) in .BTF.ext. The loader must fail with an error
 * naming the program (core_mark), the instruction and the access string. Not meant for a kernel.
 */
#include "common.h"

struct skb_view {
    __u32 len;
    __u32 mark;
} __attribute__((preserve_access_index));

SEC("tc")
int core_mark(struct __sk_buff *skb)
{
    struct skb_view *view = (void *)skb;
    return view->mark;
}

char LICENSE[] SEC("license") = "GPL";
