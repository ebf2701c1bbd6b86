package dev.tcxsim.vm;

import dev.tcxsim.vm.maps.BpfMap;

/**
 * What the caller (the simulated kernel) provides to one program run. Every method has a default,
 * so {@code new RunEnv() {}} is a valid environment for tests.
 */
public interface RunEnv {
    /** A shared environment with all defaults. */
    RunEnv DEFAULT = new RunEnv() { };

    /** bpf_ktime_get_ns: monotonic nanoseconds. */
    default long nowNs() {
        return System.nanoTime();
    }

    /** bpf_get_smp_processor_id, and the slot a per-CPU map lookup returns. */
    default int cpu() {
        return 0;
    }

    /** One formatted bpf_trace_printk line. */
    default void tracePrintk(String line) {
    }

    /** Called after a program updated {@code map} (helper map_update_elem), for traces. */
    default void mapWrite(BpfMap map, byte[] key, byte[] value) {
    }

    /** Seed of bpf_get_prandom_u32's generator for this run. */
    default long prandomSeed() {
        return 0x5eed_1234_abcdL;
    }
}
