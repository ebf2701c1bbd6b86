package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.mem.RunState;

/**
 * The probe_read family as a tc program may use it (root with CAP_PERFMON, Linux 6.18):
 * bpf_probe_read_kernel(_str) and bpf_probe_read_user(_str) are allowed; the old bpf_probe_read and
 * bpf_probe_read_str are not offered to tc programs at all (the load fails). The simulator has no
 * kernel or user address space: a kernel read succeeds on the program's own memory (stack, map
 * values, packet), as the kernel's does; an address in the user half fails with -ERANGE as on x86-64;
 * any other address fails with -EFAULT. User memory never exists: user reads fail with -EFAULT.
 * On failure the destination is zeroed, as the kernel does.
 */
public final class ProbeHelpers {
    public static final int PROBE_READ = 4, PROBE_READ_STR = 45, PROBE_READ_USER = 112, PROBE_READ_KERNEL = 113,
            PROBE_READ_USER_STR = 114, PROBE_READ_KERNEL_STR = 115;
    private static final int EFAULT = 14, ERANGE = 34;
    /** TASK_SIZE_MAX + PAGE_SIZE on x86-64 (4-level paging): kernel reads below this address are refused. */
    private static final long USER_END = 0x0000_7fff_ffff_f000L + 4096;

    private ProbeHelpers() {
    }

    /**
     * Why a tc program may not call helper {@code id} (the kernel's verifier refuses it at load), or
     * null: bpf_probe_read and bpf_probe_read_str are offered to tracing programs only.
     */
    public static String refusedForTc(int id) {
        return id == PROBE_READ || id == PROBE_READ_STR
                ? "program of this type cannot use helper bpf_" + HelperNames.name(id) + "#" + id
                        + " (the kernel refuses it for tc programs too; use bpf_probe_read_kernel or bpf_probe_read_user)"
                : null;
    }

    /** The bytes at a program-memory address, or null when {@code addr} is not (all) inside one of the program's regions. */
    private static byte[] programBytes(RunState st, long addr, int len, int pc) {
        int tag = Ptr.tag(addr);
        if (tag != Ptr.STACK && tag != Ptr.PACKET && !Ptr.isMapValue(tag)) {
            return null;
        }
        try {
            return Memory.readBytes(st, addr, len, pc, "probe_read");
        } catch (BpfFault notMapped) {
            return null;
        }
    }

    private static int kernelError(long addr) {
        return Long.compareUnsigned(addr, USER_END) < 0 ? -ERANGE : -EFAULT;
    }

    static long readKernel(RunState st, long dst, long sizeArg, long src, int pc) {
        int size = checkedSize(sizeArg, pc);
        byte[] got = programBytes(st, src, size, pc);
        long rc = got == null ? kernelError(src) : 0;
        Memory.writeBytes(st, dst, got == null ? new byte[size] : got, pc, "probe_read_kernel destination");
        return rc;
    }

    static long readKernelStr(RunState st, long dst, long sizeArg, long src, int pc) {
        int size = checkedSize(sizeArg, pc);
        if (size == 0) {
            return 0;
        }
        byte[] out = new byte[size];
        long rc;
        if (programBytes(st, src, 1, pc) == null) {
            rc = kernelError(src);
        } else {
            int n = 0;
            while (n < size - 1) {
                byte[] b = programBytes(st, src + n, 1, pc);
                if (b == null || b[0] == 0) {
                    break;
                }
                out[n++] = b[0];
            }
            byte[] next = n < size - 1 ? programBytes(st, src + n, 1, pc) : new byte[1];
            if (next == null) {
                out = new byte[size];
                rc = -EFAULT; // the string runs off the end of its region
            } else {
                rc = n + 1;
            }
        }
        Memory.writeBytes(st, dst, out, pc, "probe_read_kernel_str destination");
        return rc;
    }

    static long readUser(RunState st, long dst, long sizeArg, int pc) {
        int size = checkedSize(sizeArg, pc);
        Memory.writeBytes(st, dst, new byte[size], pc, "probe_read_user destination");
        return size == 0 ? 0 : -EFAULT;
    }

    private static int checkedSize(long size, int pc) {
        if (size < 0 || size > 1 << 16) {
            throw new BpfFault(pc, "probe_read: size " + size + " is not a constant the verifier accepts");
        }
        return (int) size;
    }
}
