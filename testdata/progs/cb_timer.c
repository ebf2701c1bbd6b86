/*
 * cb_timer.c: bpf_timer in an array map's value.
 *
 * Exercises: bpf_timer_init (again: -EBUSY; an _ALARM clock: -EINVAL), bpf_timer_start before a
 * callback is set (-EINVAL) and with unknown flags (-EINVAL), bpf_timer_set_callback,
 * bpf_timer_cancel of an armed timer (1) and of an idle one (0); cancel also drops the callback,
 * so a start then fails (-EINVAL) until bpf_timer_set_callback again; a final start 10 s ahead.
 * The callback counts its runs, keeps the key and bpf_ktime_get_ns, re-arms itself 1000 ns later
 * twice, and records what bpf_timer_cancel of its own timer returns there (-EDEADLK).
 */
#include "common.h"

#define CLOCK_MONOTONIC 1
#define CLOCK_REALTIME_ALARM 8

struct elem {
    struct bpf_timer t;
    __s64 fired, key, at, cancel_in_cb;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, struct elem);
} timers SEC(".maps");

struct results {
    __s64 init, init_again, init_alarm, start_no_cb, set_cb, start_bad_flags, start, cancel_armed,
          cancel_idle, start_after_cancel, set_cb_again, start_final;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct results);
} out SEC(".maps");

static int on_timer(void *map, __u32 *key, struct elem *e)
{
    e->fired++;
    e->key = *key;
    e->at = bpf_ktime_get_ns();
    e->cancel_in_cb = bpf_timer_cancel(&e->t);
    if (e->fired < 3)
        bpf_timer_start(&e->t, 1000, 0);
    return 0;
}

SEC("tc")
int arm_timer(struct __sk_buff *skb)
{
    __u32 zero = 0, one = 1;
    struct results *r = bpf_map_lookup_elem(&out, &zero);
    struct elem *e = bpf_map_lookup_elem(&timers, &one);
    struct elem *e0 = bpf_map_lookup_elem(&timers, &zero);
    if (!r || !e || !e0)
        return 1;
    r->init = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
    r->init_again = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
    r->init_alarm = bpf_timer_init(&e0->t, &timers, CLOCK_REALTIME_ALARM);
    r->start_no_cb = bpf_timer_start(&e->t, 1000, 0);
    r->set_cb = bpf_timer_set_callback(&e->t, on_timer);
    r->start_bad_flags = bpf_timer_start(&e->t, 1000, 4);
    r->start = bpf_timer_start(&e->t, 5000, 0);
    r->cancel_armed = bpf_timer_cancel(&e->t);
    r->cancel_idle = bpf_timer_cancel(&e->t);
    r->start_after_cancel = bpf_timer_start(&e->t, 1000, 0);
    r->set_cb_again = bpf_timer_set_callback(&e->t, on_timer);
    r->start_final = bpf_timer_start(&e->t, 10000000000ULL, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
