package dev.tcxsim.linux;

import dev.tcxsim.linux.ffm.KernelRequirement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Shared helpers of the real-kernel tests: the skip-or-fail rule, tiny programs, frames, host checks. */
public final class RealKernel {
    private RealKernel() {
    }

    /** Skips with the reason where the kernel backend cannot run; fails instead where it must (root, Linux >= 6.6). */
    public static void require() {
        String why = KernelRequirement.whyUnavailable();
        if (why != null) {
            if (KernelRequirement.required()) {
                fail("the real-kernel test cannot run although it is required here (" + KernelRequirement.PROPERTY
                        + "): " + why);
            }
            System.out.println("[tcxsim] skipping real-kernel test: " + why);
            assumeTrue(false, "real-kernel test skipped: " + why);
        }
    }

    /** "r0 = imm; exit". */
    static long[] ret(int imm) {
        return new long[] {0xb7L | ((long) imm << 32), 0x95L};
    }

    /**
     * The lines of the host's (this JVM's main thread's) mount table that mention {@code path}.
     * Specific on purpose: other tcxsim JVMs may hold their own named sessions meanwhile.
     */
    static List<String> hostMountsOf(Path path) throws IOException {
        String needle = " " + path + " ";
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream().filter(l -> l.contains(needle)).toList();
    }

    /** Whether any task of any process is still in the network namespace with this inode. */
    static boolean netnsInUse(long inode) throws IOException {
        String wanted = "net:[" + inode + "]";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                Path tasks = proc.resolve("task");
                List<Path> taskList;
                try (Stream<Path> ts = Files.list(tasks)) {
                    taskList = ts.toList();
                } catch (IOException e) {
                    continue; // the process ended meanwhile
                }
                for (Path t : taskList) {
                    try {
                        if (Files.readSymbolicLink(t.resolve("ns/net")).toString().equals(wanted)) {
                            return true;
                        }
                    } catch (IOException e) {
                        // the task ended meanwhile
                    }
                }
            }
        }
        return false;
    }

    /** An Ethernet + IPv4 + UDP frame with a correct IPv4 header checksum (UDP checksum 0: none). */
    static byte[] udpFrame(byte[] dstMac, byte[] srcMac, byte[] srcIp, byte[] dstIp, int srcPort, int dstPort,
                           byte[] payload) {
        int udpLen = 8 + payload.length;
        int ipLen = 20 + udpLen;
        byte[] f = new byte[14 + ipLen];
        System.arraycopy(dstMac, 0, f, 0, 6);
        System.arraycopy(srcMac, 0, f, 6, 6);
        f[12] = 0x08;
        f[13] = 0x00;
        int ip = 14;
        f[ip] = 0x45;
        f[ip + 2] = (byte) (ipLen >>> 8);
        f[ip + 3] = (byte) ipLen;
        f[ip + 8] = 64;   // ttl
        f[ip + 9] = 17;   // UDP
        System.arraycopy(srcIp, 0, f, ip + 12, 4);
        System.arraycopy(dstIp, 0, f, ip + 16, 4);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((f[ip + i] & 0xff) << 8) | (f[ip + i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        int check = ~sum & 0xffff;
        f[ip + 10] = (byte) (check >>> 8);
        f[ip + 11] = (byte) check;
        int udp = ip + 20;
        f[udp] = (byte) (srcPort >>> 8);
        f[udp + 1] = (byte) srcPort;
        f[udp + 2] = (byte) (dstPort >>> 8);
        f[udp + 3] = (byte) dstPort;
        f[udp + 4] = (byte) (udpLen >>> 8);
        f[udp + 5] = (byte) udpLen;
        System.arraycopy(payload, 0, f, udp + 8, payload.length);
        return f;
    }
}
