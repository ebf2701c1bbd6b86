/*
 * core.c: an object with one CO-RE relocation that no kernel can satisfy.
 *
 * Exercises: a struct marked preserve_access_index makes clang emit a field-offset CO-RE
 * relocation (access string "0:1" for ->mark) in .BTF.ext. No kernel has a struct skb_view, so
 * the loader poisons the load (libbpf's call to helper 0xbad2310), and the poisoned instruction
 * names the program (core_mark), the instruction and the access string. Not meant for a kernel.
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
