package dev.tcxsim.vm.maps;

/** The kernel's map type names (enum bpf_map_type), for error messages. */
public final class MapTypes {
    private static final String[] NAMES = {
        "unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash", "percpu_array", "stack_trace",
        "cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap",
        "sockmap", "cpumap", "xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage",
        "queue", "stack", "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage",
        "bloom_filter", "user_ringbuf", "cgrp_storage", "arena",
    };

    private MapTypes() {
    }

    /**
     * Why a map type has no simulator backend, as ": ..." to append to an error, or "" when the
     * simulator has no particular reason to give: most of these maps serve program types and kernel
     * objects (XDP, sockets, cgroups, tasks, inodes, perf events) a simulated tc datapath does not have.
     */
    public static String whyUnsupported(int type) {
        return switch (type) {
            case 4 -> ": perf event arrays feed perf ring buffers (use a ringbuf map)";
            case 7 -> ": stack traces need kernel stacks, which tc programs in the simulator do not have";
            case 8, 19, 21, 32 -> ": cgroup maps need cgroups, which the simulator does not model";
            case 15, 18 -> ": sockmap and sockhash hold sockets, for sk_skb/sk_msg programs";
            case 16 -> ": a cpumap redirects XDP frames to CPUs, for XDP programs only";
            case 17 -> ": an xskmap redirects XDP frames to AF_XDP sockets, for XDP programs only";
            case 20 -> ": reuseport arrays select sockets, for sk_reuseport programs";
            case 24 -> ": socket local storage needs sockets, which tc programs in the simulator do not see";
            case 26 -> ": struct_ops maps implement kernel interfaces, not tc programs";
            case 28, 29 -> ": inode and task local storage belong to LSM and tracing programs";
            case 31 -> ": a user ringbuf is drained by helpers tc programs in the simulator do not have";
            case 33 -> ": arenas need the kernel's page allocator and kfuncs";
            default -> "";
        };
    }

    /** "hash", "array", ... or "unknown" for a number the kernel does not define. */
    public static String name(int type) {
        return type >= 0 && type < NAMES.length ? NAMES[type] : "unknown";
    }
}
