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

    /**
     * The helpers' entry points: {@code chainIndex} is the position of the program that printed in
     * the chain being run (0 outside a {@link ProgramChain}; a tail-called program counts as the
     * chain program that called it), so one environment can serve a whole chain run.
     */
    default void tracePrintk(int chainIndex, String line) {
        tracePrintk(line);
    }

    default void mapWrite(int chainIndex, BpfMap map, byte[] key, byte[] value) {
        mapWrite(map, key, value);
    }

    /** Seed of bpf_get_prandom_u32's generator for this run. */
    default long prandomSeed() {
        return 0x5eed_1234_abcdL;
    }

    /**
     * The device with index {@code ifindex} as bpf_check_mtu, bpf_clone_redirect and bpf_fib_lookup
     * see it, or null when there is none. Default: only the loopback device (ifindex 1), as in the
     * network namespace of a BPF_PROG_TEST_RUN.
     */
    default dev.tcxsim.vm.helpers.NetDevice device(int ifindex) {
        return ifindex == 1 ? dev.tcxsim.vm.helpers.NetDevice.LOOPBACK : null;
    }

    /**
     * bpf_clone_redirect hands a copy of the packet ({@code frame}, from the Ethernet header) to
     * device {@code ifindex} (an existing one), to its receive path when {@code ingress}, else to its
     * transmit path. Returns what that path returned, which the program gets in r0 (0: taken).
     * Default: the copy is taken and goes nowhere.
     */
    default int cloneRedirect(int ifindex, boolean ingress, byte[] frame) {
        return 0;
    }

    /**
     * bpf_fib_lookup's route lookup, after the helper checked its arguments and the device in
     * {@code params} (struct bpf_fib_lookup, 64 bytes, which the lookup may fill in). Returns a
     * BPF_FIB_LKUP_RET_* code. Default: a namespace without routes and with forwarding off, where the
     * kernel answers BPF_FIB_LKUP_RET_FWD_DISABLED.
     */
    default int fibLookup(byte[] params, int flags) {
        return dev.tcxsim.vm.helpers.NetHelpers.FIB_LKUP_RET_FWD_DISABLED;
    }
}
