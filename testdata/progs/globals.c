/*
 * globals.c: every kind of global data section libbpf turns into a map.
 *
 * Exercises: .rodata (volatile const), .data (initialized global), .bss (zeroed global),
 * .rodata.str1.1 (string literals merged by the compiler, referenced through a section symbol
 * with an offset), a SEC(".data.custom") variable, and bpf_printk (its format string lands in
 * .rodata, the trace_printk helper is called). Returns limit + counter + custom_value after
 * incrementing counter and bss_counter.
 */
#include "common.h"

volatile const __u32 limit = 42;
volatile const char greeting[8] = "hello";
__u64 counter = 7;
__u64 bss_counter;
__u32 custom_value SEC(".data.custom") = 0xc0ffee;

static __noinline int name_len(const char *s)
{
    int n = 0;
    for (int i = 0; i < 16; i++) {
        if (s[i] == 0)
            break;
        n++;
    }
    return n;
}

SEC("tc")
int use_globals(struct __sk_buff *skb)
{
    counter++;
    bss_counter += 2;
    if (skb->len & 1)
        skb->cb[1] = name_len("tcxsim");
    else
        skb->cb[1] = name_len("globals-test");
    skb->cb[2] = greeting[1];
    bpf_printk("limit %u counter %llu", limit, counter);
    return limit + counter + custom_value;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
