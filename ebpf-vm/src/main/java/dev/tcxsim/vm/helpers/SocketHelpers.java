package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.RunState;

/**
 * The socket helpers a tc program may call (net/core/filter.c): sk_lookup_tcp, sk_lookup_udp,
 * skc_lookup_tcp, sk_release, tcp_check_syncookie, tcp_gen_syncookie. The simulator has no
 * sockets, so it answers as the kernel does under BPF_PROG_TEST_RUN when no socket matches:
 * every lookup returns NULL. The other four take a socket the verifier proved non-NULL, which
 * only a lookup can produce, so a correct program never reaches them here; a call with anything
 * else stops the program, as the kernel's verifier would have refused it.
 */
final class SocketHelpers {
    static final int SK_LOOKUP_TCP = 84, SK_LOOKUP_UDP = 85, SK_RELEASE = 86, SKC_LOOKUP_TCP = 99,
            TCP_CHECK_SYNCOOKIE = 100, TCP_GEN_SYNCOOKIE = 110;
    /** sizeof(struct bpf_sock_tuple): its ipv6 member. */
    private static final int TUPLE_V6 = 36;

    private SocketHelpers() {
    }

    /** A lookup (ctx, tuple, tuple_size, netns, flags): reads the tuple like the kernel and finds no socket. */
    static long lookup(RunState st, int id, long tuple, long tupleSize, int pc) {
        int size = (int) (tupleSize & 0xffffffffL);
        if (size > 0 && size <= TUPLE_V6) {
            Memory.readBytes(st, tuple, size, pc, Helpers.describe(id) + " tuple");
        } else if (size != 0) {
            throw new BpfFault(pc, Helpers.describe(id) + ": tuple size " + size + " is larger than struct bpf_sock_tuple ("
                    + TUPLE_V6 + " bytes), which the verifier refuses");
        }
        return 0;
    }

    /** A helper whose first argument must be a socket a lookup returned. */
    static long needsSocket(int id, long sk, int pc) {
        throw new BpfFault(pc, Helpers.describe(id) + ": R1 (0x" + Long.toHexString(sk) + ") is not a socket: only a"
                + " socket lookup returns one, and the simulator has no sockets");
    }
}
