/*
 * cb_strings.c: bpf_snprintf and bpf_strncmp.
 *
 * Exercises: %u %x %X %d %lld %s %c %% with flags and widths ("%-5d", "%05u"), truncation to
 * str_size (always NUL-terminated) and the return value (the whole length plus the NUL),
 * str_size 0 with a NULL buffer, more than 12 arguments (-EINVAL at run time; the format is
 * checked when the program loads); strncmp against constant strings: equal, smaller, greater,
 * a prefix that s1_sz stops at, s1 shorter than s2. Values depend on skb->len.
 */
#include "common.h"

struct results {
    __s64 ret_full, ret_trunc, ret_zero, ret_toomany;
    __s64 cmp_eq, cmp_lt, cmp_gt, cmp_prefix, cmp_short;
    char full[96];
    char trunc[8];
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct results);
} out SEC(".maps");

static const char fmt_full[] = "len=%u hex=%x/%X neg=%d big=%lld s=%s c=%c %%|%-5d|%05u";
static const char fmt_short[] = "n=%u";
static const char word[] = "tcx";

SEC("tc")
int string_rules(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct results *r = bpf_map_lookup_elem(&out, &zero);
    if (!r)
        return 1;
    __u64 len = skb->len;
    char name[8] = "veth";
    __u64 args[9] = { len, len * 4099, len * 4099, -(__s64)len, len << 40, (__u64)name, 'A' + (len & 7),
                      len & 15, len };
    r->ret_full = bpf_snprintf(r->full, sizeof(r->full), fmt_full, args, sizeof(args));
    r->ret_trunc = bpf_snprintf(r->trunc, sizeof(r->trunc), fmt_full, args, sizeof(args));
    r->ret_zero = bpf_snprintf(NULL, 0, fmt_short, args, 8);
    __u64 many[13] = {};
    r->ret_toomany = bpf_snprintf(r->trunc, sizeof(r->trunc), fmt_short, many, sizeof(many));

    char s1[4] = "tcx";
    char s2[4] = "tca";
    char s3[4] = "tcz";
    char s4[4] = "tc";
    r->cmp_eq = bpf_strncmp(s1, sizeof(s1), word);
    r->cmp_lt = bpf_strncmp(s2, sizeof(s2), word);
    r->cmp_gt = bpf_strncmp(s3, sizeof(s3), word);
    r->cmp_prefix = bpf_strncmp(s2, 2 + (len & 0), word);
    r->cmp_short = bpf_strncmp(s4, sizeof(s4), word);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
