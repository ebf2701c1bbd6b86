package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.RunState;

import java.nio.charset.StandardCharsets;

/** bpf_snprintf and bpf_strncmp (kernel/bpf/helpers.c), with the kernel's argument rules and results. */
final class StringHelpers {
    /** MAX_BPRINTF_VARARGS: the most u64 arguments bpf_snprintf takes. */
    static final int MAX_VARARGS = 12;
    private static final int EINVAL = 22;

    private StringHelpers() {
    }

    /**
     * bpf_snprintf(str, str_size, fmt, data, data_len): formats {@code fmt} (a NUL-terminated
     * string; the kernel's verifier wants it in read-only map memory) with the u64 array
     * {@code data} into {@code str}, truncated to {@code str_size} bytes and always NUL-terminated
     * unless str_size is 0. Returns the whole formatted length plus one (the NUL); -EINVAL for more
     * than 12 arguments. The kernel's verifier checks the format against data_len when it loads
     * the program (check_bpf_snprintf_call); the simulator's cannot, so a format the kernel would
     * refuse (an unknown conversion, more conversions than arguments, data_len not a multiple of
     * 8) stops the program here.
     */
    static long snprintf(RunState st, long str, long strSize, long fmtAddr, long data, long dataLen, int pc) {
        String who = Helpers.describe(Helpers.SNPRINTF);
        long size = strSize & 0xffffffffL;
        long len = dataLen & 0xffffffffL;
        if (len % 8 != 0) {
            throw new BpfFault(pc, who + ": data_len " + len + " is not a multiple of 8 (the kernel refuses the program"
                    + " at load)");
        }
        String fmt = Memory.readCString(st, fmtAddr, 4096, pc, who + " format");
        if (len > 8 * MAX_VARARGS || (len > 0 && data == 0)) {
            return -EINVAL;
        }
        long[] args = new long[(int) len / 8];
        if (len > 0) {
            byte[] raw = Memory.readBytes(st, data, (int) len, pc, who + " data");
            for (int i = 0; i < args.length; i++) {
                args[i] = Memory.read(raw, 8 * i, 8);
            }
        }
        String text = TracePrintk.format(fmt, args, a -> Memory.readCString(st, a, 256, pc, who + " %s"));
        if (text == null) {
            throw new BpfFault(pc, who + ": format \"" + fmt + "\" has a conversion the kernel does not support or more"
                    + " conversions than the " + args.length + " arguments (the kernel refuses the program at load)");
        }
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (size > 0) {
            byte[] out = new byte[(int) Math.min(size, bytes.length + 1L)];
            System.arraycopy(bytes, 0, out, 0, out.length - 1);
            Memory.writeBytes(st, str, out, pc, who + " destination");
        }
        return bytes.length + 1L;
    }

    /**
     * bpf_strncmp(s1, s1_sz, s2): the kernel's strncmp of {@code s1_sz} bytes of s1 with the
     * constant string s2: 0 when equal, -1 or 1 by the first differing byte (unsigned).
     */
    static long strncmp(RunState st, long s1, long s1Size, long s2, int pc) {
        String who = Helpers.describe(Helpers.STRNCMP);
        int n = (int) (s1Size & 0xffffffffL);
        byte[] a = Memory.readBytes(st, s1, n, pc, who + " s1");
        String b = Memory.readCString(st, s2, 4096, pc, who + " s2");
        for (int i = 0; i < n; i++) {
            int c1 = a[i] & 0xff;
            int c2 = i < b.length() ? b.charAt(i) & 0xff : 0;
            if (c1 != c2) {
                return c1 < c2 ? -1 : 1;
            }
            if (c1 == 0) {
                break;
            }
        }
        return 0;
    }
}
