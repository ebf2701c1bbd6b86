package dev.tcxsim.vm.elf;

/**
 * The kernel's {@code enum bpf_map_type}; {@link #id()} is the uapi number. Every number the
 * kernel knows (0..33) has a constant, so an object may name a type we do not simulate yet: the
 * map backend decides whether it can create it.
 */
public enum MapType {
    UNSPEC, HASH, ARRAY, PROG_ARRAY, PERF_EVENT_ARRAY, PERCPU_HASH, PERCPU_ARRAY, STACK_TRACE,
    CGROUP_ARRAY, LRU_HASH, LRU_PERCPU_HASH, LPM_TRIE, ARRAY_OF_MAPS, HASH_OF_MAPS, DEVMAP,
    SOCKMAP, CPUMAP, XSKMAP, SOCKHASH, CGROUP_STORAGE, REUSEPORT_SOCKARRAY, PERCPU_CGROUP_STORAGE,
    QUEUE, STACK, SK_STORAGE, DEVMAP_HASH, STRUCT_OPS, RINGBUF, INODE_STORAGE, TASK_STORAGE,
    BLOOM_FILTER, USER_RINGBUF, CGRP_STORAGE, ARENA;

    private static final MapType[] BY_ID = values();

    /** The uapi number (BPF_MAP_TYPE_*). */
    public int id() {
        return ordinal();
    }

    /** The constant for a uapi number, or null when the kernel knows no such map type. */
    public static MapType ofId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** True for the two map-in-map types, whose values are other maps. */
    public boolean isMapInMap() {
        return this == ARRAY_OF_MAPS || this == HASH_OF_MAPS;
    }
}
