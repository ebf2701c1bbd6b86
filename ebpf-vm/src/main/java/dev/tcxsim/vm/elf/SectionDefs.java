package dev.tcxsim.vm.elf;

import java.util.List;

/**
 * Program type and expected attach type from a program section's name, following libbpf's
 * section_defs table: a name matches a definition exactly, or (where libbpf allows an extra part)
 * as the definition followed by '/'. Numbers are the uapi ones.
 */
final class SectionDefs {
    /** What a section name says about its programs. */
    record Def(String prefix, int progType, int attachType, boolean allowsSuffix) {
        boolean matches(String section) {
            return section.equals(prefix) || allowsSuffix && section.startsWith(prefix + "/");
        }
    }

    static final int SCHED_CLS = 3, SCHED_ACT = 4;
    private static final int SOCKET_FILTER = 1, KPROBE = 2, TRACEPOINT = 5, XDP = 6,
            PERF_EVENT = 7, CGROUP_SKB = 8, CGROUP_SOCK = 9, LWT_IN = 10, LWT_OUT = 11, LWT_XMIT = 12, SOCK_OPS = 13,
            SK_SKB = 14, CGROUP_DEVICE = 15, SK_MSG = 16, RAW_TRACEPOINT = 17, CGROUP_SOCK_ADDR = 18,
            LWT_SEG6LOCAL = 19, LIRC_MODE2 = 20, SK_REUSEPORT = 21, FLOW_DISSECTOR = 22, CGROUP_SYSCTL = 23,
            RAW_TRACEPOINT_WRITABLE = 24, CGROUP_SOCKOPT = 25, TRACING = 26, STRUCT_OPS = 27, EXT = 28, LSM = 29,
            SK_LOOKUP = 30, SYSCALL = 31, NETFILTER = 32;

    /** BPF_TCX_INGRESS and BPF_TCX_EGRESS. */
    static final int TCX_INGRESS = 46, TCX_EGRESS = 47;

    // Longer names first where one is a prefix of another ("tc/ingress" before "tc").
    private static final List<Def> DEFS = List.of(
            new Def("tcx/ingress", SCHED_CLS, TCX_INGRESS, false),
            new Def("tcx/egress", SCHED_CLS, TCX_EGRESS, false),
            new Def("tc/ingress", SCHED_CLS, TCX_INGRESS, false),
            new Def("tc/egress", SCHED_CLS, TCX_EGRESS, false),
            new Def("netkit/primary", SCHED_CLS, 54, false),
            new Def("netkit/peer", SCHED_CLS, 55, false),
            new Def("tc", SCHED_CLS, 0, true),
            new Def("classifier", SCHED_CLS, 0, true),
            new Def("action", SCHED_ACT, 0, true),
            new Def("socket", SOCKET_FILTER, 0, true),
            new Def("sk_reuseport/migrate", SK_REUSEPORT, 40, false),
            new Def("sk_reuseport", SK_REUSEPORT, 39, false),
            new Def("kprobe.multi", KPROBE, 42, true),
            new Def("kretprobe.multi", KPROBE, 42, true),
            new Def("uprobe.multi", KPROBE, 48, true),
            new Def("uretprobe.multi", KPROBE, 48, true),
            new Def("kprobe", KPROBE, 0, true),
            new Def("kretprobe", KPROBE, 0, true),
            new Def("uprobe", KPROBE, 0, true),
            new Def("uretprobe", KPROBE, 0, true),
            new Def("uprobe.s", KPROBE, 0, true),
            new Def("uretprobe.s", KPROBE, 0, true),
            new Def("ksyscall", KPROBE, 0, true),
            new Def("kretsyscall", KPROBE, 0, true),
            new Def("usdt", KPROBE, 0, true),
            new Def("tracepoint", TRACEPOINT, 0, true),
            new Def("tp", TRACEPOINT, 0, true),
            new Def("raw_tracepoint.w", RAW_TRACEPOINT_WRITABLE, 0, true),
            new Def("raw_tp.w", RAW_TRACEPOINT_WRITABLE, 0, true),
            new Def("raw_tracepoint", RAW_TRACEPOINT, 0, true),
            new Def("raw_tp", RAW_TRACEPOINT, 0, true),
            new Def("tp_btf", TRACING, 23, true),
            new Def("fentry", TRACING, 24, true),
            new Def("fexit", TRACING, 25, true),
            new Def("fmod_ret", TRACING, 26, true),
            new Def("fentry.s", TRACING, 24, true),
            new Def("fexit.s", TRACING, 25, true),
            new Def("fmod_ret.s", TRACING, 26, true),
            new Def("freplace", EXT, 0, true),
            new Def("lsm", LSM, 27, true),
            new Def("lsm.s", LSM, 27, true),
            new Def("lsm_cgroup", LSM, 43, true),
            new Def("iter", TRACING, 28, true),
            new Def("iter.s", TRACING, 28, true),
            new Def("syscall", SYSCALL, 0, false),
            new Def("xdp.frags/devmap", XDP, 33, false),
            new Def("xdp/devmap", XDP, 33, false),
            new Def("xdp.frags/cpumap", XDP, 35, false),
            new Def("xdp/cpumap", XDP, 35, false),
            new Def("xdp.frags", XDP, 37, false),
            new Def("xdp", XDP, 37, true),
            new Def("perf_event", PERF_EVENT, 0, false),
            new Def("lwt_in", LWT_IN, 0, false),
            new Def("lwt_out", LWT_OUT, 0, false),
            new Def("lwt_xmit", LWT_XMIT, 0, false),
            new Def("lwt_seg6local", LWT_SEG6LOCAL, 0, false),
            new Def("sockops", SOCK_OPS, 3, false),
            new Def("sk_skb/stream_parser", SK_SKB, 4, false),
            new Def("sk_skb/stream_verdict", SK_SKB, 5, false),
            new Def("sk_skb/verdict", SK_SKB, 38, false),
            new Def("sk_skb", SK_SKB, 0, false),
            new Def("sk_msg", SK_MSG, 7, false),
            new Def("lirc_mode2", LIRC_MODE2, 16, false),
            new Def("flow_dissector", FLOW_DISSECTOR, 17, false),
            new Def("cgroup_skb/ingress", CGROUP_SKB, 0, false),
            new Def("cgroup_skb/egress", CGROUP_SKB, 1, false),
            new Def("cgroup/skb", CGROUP_SKB, 0, false),
            new Def("cgroup/sock_create", CGROUP_SOCK, 2, false),
            new Def("cgroup/sock_release", CGROUP_SOCK, 34, false),
            new Def("cgroup/sock", CGROUP_SOCK, 2, false),
            new Def("cgroup/post_bind4", CGROUP_SOCK, 12, false),
            new Def("cgroup/post_bind6", CGROUP_SOCK, 13, false),
            new Def("cgroup/bind4", CGROUP_SOCK_ADDR, 8, false),
            new Def("cgroup/bind6", CGROUP_SOCK_ADDR, 9, false),
            new Def("cgroup/connect4", CGROUP_SOCK_ADDR, 10, false),
            new Def("cgroup/connect6", CGROUP_SOCK_ADDR, 11, false),
            new Def("cgroup/connect_unix", CGROUP_SOCK_ADDR, 49, false),
            new Def("cgroup/sendmsg4", CGROUP_SOCK_ADDR, 14, false),
            new Def("cgroup/sendmsg6", CGROUP_SOCK_ADDR, 15, false),
            new Def("cgroup/sendmsg_unix", CGROUP_SOCK_ADDR, 50, false),
            new Def("cgroup/recvmsg4", CGROUP_SOCK_ADDR, 19, false),
            new Def("cgroup/recvmsg6", CGROUP_SOCK_ADDR, 20, false),
            new Def("cgroup/recvmsg_unix", CGROUP_SOCK_ADDR, 51, false),
            new Def("cgroup/getpeername4", CGROUP_SOCK_ADDR, 29, false),
            new Def("cgroup/getpeername6", CGROUP_SOCK_ADDR, 30, false),
            new Def("cgroup/getpeername_unix", CGROUP_SOCK_ADDR, 52, false),
            new Def("cgroup/getsockname4", CGROUP_SOCK_ADDR, 31, false),
            new Def("cgroup/getsockname6", CGROUP_SOCK_ADDR, 32, false),
            new Def("cgroup/getsockname_unix", CGROUP_SOCK_ADDR, 53, false),
            new Def("cgroup/sysctl", CGROUP_SYSCTL, 18, false),
            new Def("cgroup/getsockopt", CGROUP_SOCKOPT, 21, false),
            new Def("cgroup/setsockopt", CGROUP_SOCKOPT, 22, false),
            new Def("cgroup/dev", CGROUP_DEVICE, 6, false),
            new Def("struct_ops", STRUCT_OPS, 0, true),
            new Def("struct_ops.s", STRUCT_OPS, 0, true),
            new Def("sk_lookup", SK_LOOKUP, 36, false),
            new Def("netfilter", NETFILTER, 45, false));

    private SectionDefs() {
    }

    private static final List<String> PROG_TYPE_NAMES = List.of("unspec", "socket_filter", "kprobe", "sched_cls",
            "sched_act", "tracepoint", "xdp", "perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit",
            "sock_ops", "sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local",
            "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable",
            "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm", "sk_lookup", "syscall", "netfilter");

    /** "BPF_PROG_TYPE_KPROBE" for 2, as uapi spells it. */
    static String progTypeName(int progType) {
        return progType >= 0 && progType < PROG_TYPE_NAMES.size()
                ? "BPF_PROG_TYPE_" + PROG_TYPE_NAMES.get(progType).toUpperCase() : "program type " + progType;
    }

    /** The definition for a program section's name, or null when libbpf would not know its type. */
    static Def find(String section) {
        for (Def d : DEFS) {
            if (d.matches(section)) {
                return d;
            }
        }
        return null;
    }
}
