/*
 * skb_refused.c: helpers the kernel does not offer tc (SCHED_CLS) programs, one program each; the
 * kernel's verifier refuses each at load ("program of this type cannot use helper"), and so
 * must the simulator's.
 *
 * Exercises: the load-time refusal of bpf_probe_read and bpf_probe_read_str (tc programs use
 * bpf_probe_read_kernel/_user instead).
 */
#include "common.h"

SEC("tc")
int old_probe_read(struct __sk_buff *skb)
{
    char dst[8];
    return bpf_probe_read(dst, sizeof(dst), (void *)(long)skb->data);
}

SEC("tc")
int old_probe_read_str(struct __sk_buff *skb)
{
    char dst[8];
    return bpf_probe_read_str(dst, sizeof(dst), (void *)(long)skb->data);
}

char LICENSE[] SEC("license") = "GPL";
