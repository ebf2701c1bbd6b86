package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * skb_state.o's programs on the simulator and, as root on Linux 6.6+, on the real kernel through
 * BPF_PROG_TEST_RUN (r0, packet, ctx_out). Where the two must differ (a clock's value, the dummy
 * socket test_run gives its packet) the test says so and checks each side against its own rule.
 */
class SkbStateKernelTest {
    static final int EINVAL = -22, EFAULT = -14, ENOMEM = -12, ENOTSUPP = -524, EACCES = -13, ENOENT = -2,
            EPROTO = -71, ERANGE = -34, ENODEV = -19, EBADMSG = -74;

    static byte[] frame(String kind) {
        return switch (kind) {
            case "v4" -> SkbOracle.ipv4Udp(0);
            case "v4ect1" -> SkbOracle.ipv4Udp(1);
            case "v4ect0" -> SkbOracle.ipv4Udp(2);
            case "v4ce" -> SkbOracle.ipv4Udp(3);
            case "v4dscp" -> SkbOracle.ipv4Udp(0xb9);
            case "v6" -> SkbOracle.ipv6Udp(0);
            case "v6ect0" -> SkbOracle.ipv6Udp(0xba);
            case "vlanect0" -> SkbOracle.vlanTagged(SkbOracle.ipv4Udp(2), 0x8100, 5);
            case "other" -> SkbOracle.nonIp(60);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0} on {1} with cb [{2}]{3}: r0 {4}")
    @CsvSource(delimiter = '|', value = {
        // csum_level: one level + 1 per byte of cb[0]; cb[3] = csum_update's argument
        "csum_level | v4 | 0 0 0 5 | | 0",
        "csum_level | v4 | 0x02 | | 0",
        "csum_level | v4 | 0x0202 | | 0",
        "csum_level | v4 | 0x02020202 | | 0",
        "csum_level | v4 | 0x0302 | | 0",
        "csum_level | v4 | 0x030202 | | 0",
        "csum_level | v4 | 0x0402 | | 0",
        "csum_level | v4 | 0x03 | | 0",
        "csum_level | v4 | 0x05 | | " + EINVAL,
        "csum_level | v4 | 0x01 | | " + EACCES,
        "csum_level | v4 | 0x0102 | | 0",
        // ecn_set_ce
        "ecn_set_ce | v4 | | | 0",
        "ecn_set_ce | v4ect1 | | | 1",
        "ecn_set_ce | v4ect0 | | | 1",
        "ecn_set_ce | v4ce | | | 1",
        "ecn_set_ce | v4dscp | | | 1",
        "ecn_set_ce | v6 | | | 0",
        "ecn_set_ce | v6ect0 | | | 1",
        "ecn_set_ce | vlanect0 | | | 1",
        "ecn_set_ce | other | | | 0",
        // hash: cb[0] = the hash to set
        "hash | v4 | 0x1234 | | 0",
        "hash | v4 | 0 | | 0",
        "hash | other | -1 | | 0",
        // load_relative: cb[0] offset, cb[1] start header
        "load_relative | v4 | 0 0 | | 0",
        "load_relative | v4 | 0 1 | | 0",
        "load_relative | v4 | 24 1 | | 0",
        "load_relative | v4 | 25 1 | | " + EFAULT,
        "load_relative | v4 | 38 0 | | 0",
        "load_relative | v4 | 39 0 | | " + EFAULT,
        "load_relative | v4 | 0 2 | | " + EFAULT,
        "load_relative | v4 | 0x10000 0 | | " + EFAULT,
        "load_relative | v4 | -1 1 | | " + EFAULT,
        // probe: the probe_read family on the stack and NULL
        "probe | v4 | | | " + EFAULT,
        // tunnel*: cb[0] set flags, cb[1] get flags; the key and option sizes are in the program's name
        "tunnel | v4 | 0 0 | | " + EINVAL,
        "tunnel | v4 | 0 16 | | " + EINVAL,
        "tunnel | v4 | 1 1 | | " + EINVAL,
        "tunnel | v4 | 1 17 | | " + EINVAL,
        "tunnel | v4 | 1 0 | | " + EINVAL,
        "tunnel | v4 | 0 1 | | " + EINVAL,
        "tunnel | v4 | 0x20 0 | | " + EINVAL,
        "tunnel | v4 | 0 0x20 | | " + EINVAL,
        "tunnel | v4 | 30 16 | | " + EINVAL,
        "tunnel | v4 | 14 16 | | " + EINVAL,
        "tunnel28 | v4 | 0 0 | | " + EINVAL,
        "tunnel28 | v4 | 1 17 | | " + EINVAL,
        "tunnel8 | v4 | 0 16 | | " + EINVAL,
        "tunnel8 | v4 | 1 1 | | " + EINVAL,
        "tunnel40 | v4 | 0 0 | | " + EINVAL,
        "tunnel_opt | v4 | 0 16 | | " + EINVAL,
        "tunnel_opt | v4 | 1 17 | | " + EINVAL,
        "tunnel_opt6 | v4 | 0 16 | | " + EINVAL,
        // set_tstamp: cb[0]/cb[1] tstamp, cb[2] clock (REALTIME 0, MONOTONIC 1, TAI 2)
        "set_tstamp | v4 | 5 0 0 | | 0",
        "set_tstamp | v4 | 0 0 0 | | 0",
        "set_tstamp | v6 | 7 1 1 | | 0",
        "set_tstamp | v4 | 0 0 1 | | " + EINVAL,
        "set_tstamp | v4 | 7 0 2 | | 0",
        "set_tstamp | v4 | 0 0 2 | | " + EINVAL,
        "set_tstamp | v4 | 7 0 3 | | " + EINVAL,
        "set_tstamp | v4 | 7 0 -1 | | " + EINVAL,
        "set_tstamp | other | 7 0 1 | | -95",
        // mtu: cb[0] ifindex, cb[1] mtu_len, cb[2] len_diff, cb[3] flags
        "mtu | v4 | 0 0 0 0 | | 0",
        "mtu | v4 | 1 0 0 0 | | 0",
        "mtu | v4 | 99 0 0 0 | | " + ENODEV,
        "mtu | v4 | 0 0 0 2 | | " + EINVAL,
        "mtu | v4 | 0 0 8 1 | | " + EINVAL,
        "mtu | v4 | 0 100 0 1 | | " + EINVAL,
        "mtu | v4 | 0 0 0 1 | | 0",
        "mtu | v4 | 0 65536 0 0 | | 0",
        "mtu | v4 | 0 65537 0 0 | | 1",
        "mtu | v4 | 0 0 65504 0 | | 0",
        "mtu | v4 | 0 0 65505 0 | | 1",
        "mtu | v4 | 0 0 -100 0 | | 0",
        "mtu | v4 | 0 65537 0 0 | gso | 0",
        "mtu | v4 | 0 65537 0 0 | gso | 0",
        // clone_redirect: cb[0] ifindex, cb[1] flags (a frame no protocol takes, so the clone goes nowhere)
        "clone_redirect | other | 1 0 | | 0",
        "clone_redirect | other | 1 1 | | 0",
        "clone_redirect | other | 99 0 | | " + EINVAL,
        "clone_redirect | other | 1 2 | | " + EINVAL,
        "clone_redirect | other | 1 0x10000 | | " + EINVAL,
        "clone_redirect | other | 1 0 | gso | " + EBADMSG,
    })
    void sameAsTheKernel(String program, String kind, String cbs, String gso, int expected) throws Throwable {
        byte[] ctx = SkbResizeKernelTest.ctx(cbs == null ? "" : cbs, gso != null && !gso.isBlank());
        SkbOracle.Result r = SkbOracle.compare("skb_state", program, frame(kind), ctx);
        assertEquals(expected, r.r0(), () -> "r0 of " + program + ": " + r);
    }

    @Test
    void csumLevelCountsUpToThreeAndQueryNeedsChecksumUnnecessary() throws Throwable {
        SkbOracle.Result none = SkbOracle.compare("skb_state", "csum_level", frame("v4"), SkbOracle.ctx(0, 0, 0, 5));
        assertEquals(EACCES, none.cb(1), "query with CHECKSUM_NONE");
        assertEquals(ENOTSUPP, none.cb(2), "csum_update without CHECKSUM_COMPLETE");
        SkbOracle.Result four = SkbOracle.compare("skb_state", "csum_level", frame("v4"), SkbOracle.ctx(0x02020202));
        assertEquals(3, four.cb(1), "SKB_MAX_CSUM_LEVEL");
    }

    /** BPF_F_TEST_SKB_CHECKSUM_COMPLETE: test_run checks at the end that skb->csum still matches the packet. */
    @ParameterizedTest(name = "{0} on {1} with cb [{2}], CHECKSUM_COMPLETE: r0 {3}")
    @CsvSource(delimiter = '|', value = {
        "csum_level | v4 | 0 0 0 0 | 0",
        "csum_level | v4 | 0 0 0 -1 | 0",
        "csum_level | v4 | 0x02 0 0 0 | 0",
        "csum_level | v4 | 0x04 0 0 0 | 0",
        "ecn_csum | v4ect0 | | 1",
        "ecn_csum | v6ect0 | | 1",
        "ecn_csum | v6 | | 0",
    })
    void checksumCompleteSameAsTheKernel(String program, String kind, String cbs, int expected) throws Throwable {
        byte[] ctx = SkbResizeKernelTest.ctx(cbs == null ? "" : cbs, false);
        SkbOracle.Result r = SkbOracle.compare("skb_state", program, frame(kind), ctx, RunEnv.DEFAULT, true);
        assertEquals(expected, r.r0(), r::toString);
        if (program.equals("csum_level")) {
            assertEquals(EACCES, r.cb(1), "CHECKSUM_COMPLETE is not CHECKSUM_UNNECESSARY: no level to query");
            byte[] f = frame(kind);
            long csum = Csum.partial(java.util.Arrays.copyOfRange(f, 14, f.length), 0);
            assertEquals(SkbStateHelpers.csumAdd(csum, r.cb(3)), r.cb(2) & 0xffffffffL, "csum_update's new skb->csum");
        }
    }

    @Test
    void ecnSetCeMarksAndFixesTheIpv4Checksum() throws Throwable {
        byte[] in = frame("v4ect0");
        SkbOracle.Result r = SkbOracle.compare("skb_state", "ecn_set_ce", in, SkbOracle.ctx());
        byte[] p = r.packet();
        assertEquals(3, p[15] & 3, "CE");
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += (p[i] & 0xff) << 8 | (p[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        assertEquals(0xffff, sum, "the IPv4 header still sums to 0xffff");
    }

    @Test
    void aHashSetByTheProgramStaysUntilInvalidated() throws Throwable {
        SkbOracle.Result r = SkbOracle.compare("skb_state", "hash", frame("v4"), SkbOracle.ctx(0x1234));
        assertEquals(0x1234, r.cb(1), "get_hash_recalc keeps a software hash");
        assertEquals(0, r.cb(2), "set_hash_invalid clears skb->hash");
        assertEquals(1, r.cb(3), "a recomputed hash is never 0");
        assertEquals(1, r.cb(4), "and is stored in skb->hash");
    }

    @Test
    void probeReadsTheStackAndRefusesNull() throws Throwable {
        SkbOracle.Result r = SkbOracle.compare("skb_state", "probe", frame("v4"), SkbOracle.ctx());
        assertEquals(0, r.cb(0));
        assertEquals(0x00636261, r.cb(1), "\"abc\"");
        assertEquals(ERANGE, r.cb(2), "NULL is a user address: copy_from_kernel_nofault refuses it");
        assertEquals(4, r.cb(3), "probe_read_kernel_str counts the NUL");
        assertEquals(EFAULT, r.cb(4), "a kernel (stack) address is no user memory");
    }

    @Test
    void tunnelKeyRoundTripReadsTheAddressesSwapped() throws Throwable {
        SkbOracle.Result r = SkbOracle.compare("skb_state", "tunnel_opt", frame("v4"), SkbOracle.ctx(0, 0));
        assertEquals(0, r.cb(0), "set_tunnel_key");
        assertEquals(0, r.cb(1), "get_tunnel_key");
        assertEquals(0x0a000002, r.cb(2), "remote_ipv4 reads the key's source, which set_tunnel_key filled from local_ipv4");
        assertEquals(0x0a000001, r.cb(3));
        byte[] c = r.ctxOut();
        assertEquals(0, SkbOracle.le(c).getInt(dev.tcxsim.vm.ctx.SkBuffLayout.MARK), "set_tunnel_opt");
        assertEquals(16, SkbOracle.le(c).getInt(dev.tcxsim.vm.ctx.SkBuffLayout.PRIORITY), "get_tunnel_opt's length");
    }

    @Test
    void cloneRedirectHandsACopyToTheEnvironment() throws Throwable {
        List<String> seen = new ArrayList<>();
        RunEnv env = new RunEnv() {
            @Override
            public NetDevice device(int ifindex) {
                return ifindex == 4 ? new NetDevice(4, 1500, 14) : RunEnv.super.device(ifindex);
            }

            @Override
            public int cloneRedirect(int ifindex, boolean ingress, byte[] frame) {
                seen.add(ifindex + (ingress ? " ingress " : " egress ") + HexFormat.of().formatHex(frame));
                return 1;
            }
        };
        byte[] in = frame("other");
        SkbOracle.Result r = SkbOracle.sim("skb_state", "clone_redirect", in, SkbOracle.ctx(4, 1), env);
        assertEquals(1, r.r0(), "what the device's receive path returned");
        // once per interpreter: SkbOracle.sim runs Truffle and the reference interpreter
        assertEquals(List.of("4 ingress " + HexFormat.of().formatHex(in), "4 ingress " + HexFormat.of().formatHex(in)), seen);
        assertArrayEquals(in, r.packet(), "the original packet is untouched");
    }

    @Test
    void checkMtuUsesTheEnvironmentsDevice() throws Throwable {
        RunEnv env = new RunEnv() {
            @Override
            public NetDevice device(int ifindex) {
                return ifindex == 1 ? new NetDevice(1, 30, 14) : null;
            }
        };
        SkbOracle.Result r = SkbOracle.sim("skb_state", "mtu", frame("v4"), SkbOracle.ctx(0, 0, 0, 0), env);
        assertEquals(NetHelpers.MTU_CHK_RET_FRAG_NEEDED, r.r0(), "46 bytes do not fit 30 + 14");
        assertEquals(30, r.cb(4));
    }

    @Test
    void clocksFollowTheEnvironmentAndJiffiesMatchTheKernelsFormula() throws Throwable {
        RunEnv env = new RunEnv() {
            @Override
            public long nowNs() {
                return 5_000_000_000L;
            }
        };
        SkbOracle.Result sim = SkbOracle.sim("skb_state", "clocks", frame("v4"), SkbOracle.ctx(), env);
        assertEquals(1, sim.cb(0), "boot time >= monotonic time");
        long simJiffies = (sim.cb(1) & 0xffffffffL) | (long) sim.cb(2) << 32;
        assertEquals(SkbStateHelpers.INITIAL_JIFFIES + 5 * SkbStateHelpers.HZ, simJiffies);
        SkbOracle.Result k = SkbOracle.kernel("skb_state", "clocks", frame("v4"), SkbOracle.ctx());
        if (k != null) {
            assertEquals(1, k.cb(0), "kernel: boot time >= monotonic time");
            long jiffies = (k.cb(1) & 0xffffffffL) | (long) k.cb(2) << 32;
            long now = (k.cb(3) & 0xffffffffL) | (long) k.cb(4) << 32;
            long predicted = SkbStateHelpers.jiffies64(now);
            assertTrue(Math.abs(predicted - jiffies) <= SkbStateHelpers.HZ, () -> "kernel jiffies " + jiffies
                    + " vs the simulator's formula on the kernel's clock " + predicted);
        }
    }

    @Test
    void theCoarseClockIsTheLastTick() throws Throwable {
        RunEnv env = new RunEnv() {
            @Override
            public long nowNs() {
                return 5_003_000_000L;
            }
        };
        SkbOracle.Result sim = SkbOracle.sim("skb_state", "coarse", frame("v4"), SkbOracle.ctx(), env);
        assertEquals(1, sim.cb(0));
        assertEquals(3_000_000, sim.cb(1), "5.003 s is 3 ms past the tick at 5.000 s (HZ 250)");
        SkbOracle.Result k = SkbOracle.kernel("skb_state", "coarse", frame("v4"), SkbOracle.ctx());
        if (k != null) {
            assertEquals(1, k.cb(0), "kernel: coarse <= fine");
            assertTrue((k.cb(1) & 0xffffffffL) < 2L * 1_000_000_000L / SkbStateHelpers.HZ, () -> "kernel: fine - coarse = "
                    + k.cb(1) + " ns, more than two ticks");
        }
    }

    /** test_run gives its packet a dummy socket (cookie, cgroup) and runs in a task; the simulator's wire packet has neither. */
    @Test
    void socketCgroupAndTaskAreAbsentInTheSimulator() throws Throwable {
        SkbOracle.Result sim = SkbOracle.sim("skb_state", "no_socket", frame("v4"), SkbOracle.ctx(), RunEnv.DEFAULT);
        assertEquals(List.of(0, 0, 0), List.of(sim.cb(0), sim.cb(1), sim.cb(2)));
        SkbOracle.Result k = SkbOracle.kernel("skb_state", "no_socket", frame("v4"), SkbOracle.ctx());
        if (k != null) {
            assertEquals(List.of(1, 1, 1), List.of(k.cb(0), k.cb(1), k.cb(2)),
                    "kernel: test_run's dummy socket has a cookie and a cgroup, and current is the test's task");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"old_probe_read", "old_probe_read_str"})
    void helpersTcMayNotCallAreRefusedAtLoad(String program) throws Throwable {
        long[] insns = SkbOracle.object("skb_refused").program(program).insns();
        VerifierException e = assertThrows(VerifierException.class,
                () -> Modes.vm(Modes.Mode.REFERENCE).loadRaw(program, List.of(), insns));
        assertTrue(e.getMessage().contains("program of this type cannot use helper bpf_" + program.substring(4) + "#"),
                e::getMessage);
        if (KernelBpf.available()) {
            try (KernelBpf.Session s = new KernelBpf.Session()) {
                KernelBpf.BpfError k = assertThrows(KernelBpf.BpfError.class, () -> s.loadProgram(insns));
                assertEquals(22, k.errno, k::getMessage);
                assertTrue(k.getMessage().contains("program of this type cannot use helper"), k::getMessage);
            }
        }
    }
}
