package dev.tcxsim.vm.helpers;

/**
 * A network device as the helpers that ask about one see it (bpf_check_mtu, bpf_clone_redirect,
 * bpf_fib_lookup): its index, MTU and link-layer header length. The simulated kernel answers for its
 * devices through {@link dev.tcxsim.vm.RunEnv#device}.
 */
public record NetDevice(int ifindex, int mtu, int hardHeaderLen) {
    /** The loopback device of a network namespace, as BPF_PROG_TEST_RUN uses it: ifindex 1, MTU 65536, Ethernet-sized header. */
    public static final NetDevice LOOPBACK = new NetDevice(1, 65536, 14);

    public NetDevice {
        if (ifindex <= 0 || mtu < 0 || hardHeaderLen < 0) {
            throw new IllegalArgumentException("device needs ifindex > 0 and a non-negative MTU and header length, got "
                    + ifindex + "/" + mtu + "/" + hardHeaderLen);
        }
    }
}
