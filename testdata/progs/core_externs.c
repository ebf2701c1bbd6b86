/*
 * core_externs.c: __kconfig externs of every type libbpf supports and a weak __ksym variable.
 * Exercises: the .kconfig map (LINUX_KERNEL_VERSION against linux/version.h's KERNEL_VERSION,
 * bool, tristate, int, u64, char, char array from a quoted string, a weak CONFIG_ that is not
 * set) and a weak kernel variable that reads as 0. The tests give the CONFIG_ values; each
 * program returns some of them. The CONFIG_ externs are __weak so that the object also loads
 * without a kconfig (all 0); the tests make one strong by patching its symbol binding.
 */
#include "common.h"
#include <linux/version.h>


extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern _Bool CONFIG_BPF_JIT __kconfig __weak;
extern enum libbpf_tristate CONFIG_NET_CLS_BPF __kconfig __weak;
extern unsigned long long CONFIG_NR_CPUS_BIG __kconfig __weak;
extern char CONFIG_PREEMPT_MODE __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[8] __kconfig __weak;
extern int CONFIG_TCXSIM_NOT_SET __kconfig __weak;
extern int bpf_prog_active __ksym __weak;

SEC("tc")
int kernel_version(struct __sk_buff *skb)
{
    return LINUX_KERNEL_VERSION == KERNEL_VERSION(6, 18, 0) ? 1 : 0;
}

SEC("tc")
int hz(struct __sk_buff *skb)
{
    return CONFIG_HZ;
}

SEC("tc")
int flags(struct __sk_buff *skb)
{
    return CONFIG_BPF_JIT | CONFIG_NET_CLS_BPF << 1 | (CONFIG_TCXSIM_NOT_SET == 0) << 4
        | (&bpf_prog_active == 0) << 5 | CONFIG_PREEMPT_MODE << 8;
}

SEC("tc")
int nr_cpus(struct __sk_buff *skb)
{
    return (int)(CONFIG_NR_CPUS_BIG >> 32) * 1000 + (int)(CONFIG_NR_CPUS_BIG & 0xffff);
}

SEC("tc")
int hostname(struct __sk_buff *skb)
{
    return CONFIG_DEFAULT_HOSTNAME[0] | CONFIG_DEFAULT_HOSTNAME[1] << 8 | CONFIG_DEFAULT_HOSTNAME[6] << 16
        | CONFIG_DEFAULT_HOSTNAME[7] << 24;
}

char LICENSE[] SEC("license") = "GPL";
