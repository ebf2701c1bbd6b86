package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.support.KernelBpf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * bpf_fib_lookup on the simulator's default environment (a namespace with only a loopback device, no
 * routes, forwarding off) and on the kernel in exactly such a namespace: a thread of its own that
 * unshares its network namespace, which disappears with the thread.
 */
class FibLookupKernelTest {
    private static final int CLONE_NEWNET = 0x40000000;
    static final int EINVAL = -22, ENODEV = -19, EAFNOSUPPORT = -97;

    /** Runs the kernel side in a fresh network namespace with forwarding switched off on lo. */
    private static SkbOracle.Result kernelInFreshNetns(String program, byte[] packet, byte[] ctx) throws Throwable {
        if (!KernelBpf.available()) {
            return null;
        }
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                Linker linker = Linker.nativeLinker();
                MethodHandle unshare = linker.downcallHandle(linker.defaultLookup().find("unshare").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                int rc = (int) unshare.invokeExact(CLONE_NEWNET);
                if (rc != 0) {
                    throw new IllegalStateException("unshare(CLONE_NEWNET) failed");
                }
                // a new namespace inherits IPv4 settings from the initial one: make "forwarding off" explicit
                for (String f : new String[] {"/proc/sys/net/ipv4/conf/lo/forwarding", "/proc/sys/net/ipv6/conf/lo/forwarding"}) {
                    if (Files.exists(Path.of(f))) {
                        Files.writeString(Path.of(f), "0");
                    }
                }
                out.set(SkbOracle.kernel("skb_state", program, packet, ctx));
            } catch (Throwable e) {
                out.set(e);
            }
        }, "fib-netns");
        t.start();
        t.join();
        if (out.get() instanceof Throwable e) {
            throw e;
        }
        return (SkbOracle.Result) out.get();
    }

    @ParameterizedTest(name = "{0} family {1} ifindex {2} flags {3} link-local {4}: r0 {5}")
    @CsvSource({
        "fib, 2, 1, 0, 0, " + NetHelpers.FIB_LKUP_RET_FWD_DISABLED,
        "fib, 10, 1, 0, 0, " + NetHelpers.FIB_LKUP_RET_FWD_DISABLED,
        "fib, 2, 1, 3, 0, " + NetHelpers.FIB_LKUP_RET_FWD_DISABLED,
        "fib, 2, 99, 0, 0, " + ENODEV,
        "fib, 10, 99, 0, 0, " + ENODEV,
        "fib, 10, 99, 0, 1, " + NetHelpers.FIB_LKUP_RET_NOT_FWDED,
        "fib, 3, 1, 0, 0, " + EAFNOSUPPORT,
        "fib, 2, 1, 64, 0, " + EINVAL,
        "fib_short, 2, 1, 0, 0, " + EINVAL,
    })
    void noRouteNamespaceSameAsTheKernel(String program, int family, int ifindex, int flags, int linkLocal, int expected)
            throws Throwable {
        byte[] packet = SkbOracle.ipv4Udp(0);
        byte[] ctx = SkbOracle.ctx(family, ifindex, flags, linkLocal);
        SkbOracle.Result sim = SkbOracle.sim("skb_state", program, packet, ctx, RunEnv.DEFAULT);
        assertEquals(expected, sim.r0(), sim::toString);
        SkbOracle.Result k = kernelInFreshNetns(program, packet, ctx);
        if (k != null) {
            assertEquals(k.toString(), sim.toString(), "kernel (first) and simulator");
        }
    }

    @Test
    void aRouteFromTheEnvironmentIsCheckedAgainstTheOutputDevicesMtu() {
        RunEnv env = new RunEnv() {
            @Override
            public NetDevice device(int ifindex) {
                return ifindex == 1 || ifindex == 5 ? new NetDevice(ifindex, ifindex == 5 ? 20 : 1500, 14) : null;
            }

            @Override
            public int fibLookup(byte[] params, int flags) {
                params[8] = 5; // leaves by device 5
                return NetHelpers.FIB_LKUP_RET_SUCCESS;
            }
        };
        SkbOracle.Result r = SkbOracle.sim("skb_state", "fib", SkbOracle.ipv4Udp(0), SkbOracle.ctx(2, 1, 0, 0), env);
        assertEquals(NetHelpers.FIB_LKUP_RET_FRAG_NEEDED, r.r0(), "46 bytes > 20 + 14 + 4");
        assertEquals(5, r.cb(4), "the ifindex the lookup wrote");
    }
}
