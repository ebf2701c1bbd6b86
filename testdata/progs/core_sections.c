/*
 * core_sections.c: one tc program among programs of other types, kfunc calls and global
 * functions. Exercises: kprobe, tracepoint, xdp, fentry, struct_ops and an unknown section name
 * listed as ignored (not refused); a kfunc call (bpf_cast_to_kern_ctx) left for the backend with
 * its BTF ids; a weak kfunc no kernel has, whose call is poisoned and whose address (bpf_ksym_exists) is
 * 0; BTF linkage of a global and a static sub-program. Not run: kfuncs are not simulated here.
 */
#include "common.h"

/* The kernel's prototype: libbpf (and tcxsim) check an extern kfunc's against it. */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern int bpf_tcxsim_no_such_kfunc(int x) __ksym __weak;

static __noinline int static_helper(int x)
{
    return x * 3;
}

__noinline int global_helper(struct __sk_buff *skb)
{
    return skb ? skb->len : 0;
}

SEC("tc")
int uses_kfunc(struct __sk_buff *skb)
{
    void *k = bpf_cast_to_kern_ctx(skb);
    if (bpf_tcxsim_no_such_kfunc)
        return bpf_tcxsim_no_such_kfunc(1);
    return k ? global_helper(skb) + static_helper(skb->mark) : 0;
}

SEC("kprobe/do_nanosleep")
int a_kprobe(void *ctx)
{
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int a_tracepoint(void *ctx)
{
    return 0;
}

SEC("xdp")
int an_xdp(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("fentry/do_nanosleep")
int an_fentry(void *ctx)
{
    return 0;
}

SEC("struct_ops/an_op")
int an_op(void *ctx)
{
    return 0;
}

SEC("cls_custom")
int custom_section(struct __sk_buff *skb)
{
    return 3;
}

char LICENSE[] SEC("license") = "GPL";
