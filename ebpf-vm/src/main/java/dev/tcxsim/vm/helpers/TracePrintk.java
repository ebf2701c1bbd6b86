package dev.tcxsim.vm.helpers;

/**
 * The format subset bpf_trace_printk accepts (kernel/bpf/helpers.c bpf_bprintf_prepare): %d %i %u
 * %x %X with the l and ll length modifiers, %c, %s, %p and %%, with flags (-, +, 0, space) and a
 * width. At most three arguments for trace_printk (twelve for trace_vprintk).
 */
public final class TracePrintk {
    /** Reads a string argument (%s) from the program's memory. */
    public interface StringReader {
        String read(long addr);
    }

    private TracePrintk() {
    }

    /**
     * Formats {@code fmt} with {@code args}; returns null (the helper returns -EINVAL) for a
     * conversion the kernel refuses or more conversions than arguments.
     */
    public static String format(String fmt, long[] args, StringReader strings) {
        StringBuilder out = new StringBuilder();
        int argIndex = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 1 < fmt.length() && fmt.charAt(i + 1) == '%') {
                out.append('%');
                i++;
                continue;
            }
            int j = i + 1;
            StringBuilder flags = new StringBuilder();
            while (j < fmt.length() && "-+0 ".indexOf(fmt.charAt(j)) >= 0) {
                flags.append(fmt.charAt(j++));
            }
            int widthStart = j;
            while (j < fmt.length() && Character.isDigit(fmt.charAt(j))) {
                j++;
            }
            String width = fmt.substring(widthStart, j);
            int longs = 0;
            while (j < fmt.length() && fmt.charAt(j) == 'l' && longs < 2) {
                longs++;
                j++;
            }
            if (j >= fmt.length()) {
                return null;
            }
            char conv = fmt.charAt(j);
            if (argIndex >= args.length) {
                return null;
            }
            long a = args[argIndex++];
            String spec = "%" + flags + width;
            String text = switch (conv) {
                case 'd', 'i' -> String.format(spec + "d", longs == 0 ? (long) (int) a : a);
                case 'u' -> pad(flags, width, longs == 0 ? Long.toString(a & 0xffffffffL) : Long.toUnsignedString(a));
                case 'x' -> pad(flags, width, longs == 0 ? Integer.toHexString((int) a) : Long.toHexString(a));
                case 'X' -> pad(flags, width, (longs == 0 ? Integer.toHexString((int) a) : Long.toHexString(a)).toUpperCase());
                case 'c' -> longs == 0 ? pad(flags, width, String.valueOf((char) (a & 0xff))) : null;
                case 's' -> longs == 0 ? pad(flags, width, strings.read(a)) : null;
                case 'p' -> longs == 0 ? pad(flags, width, "0x" + Long.toHexString(a)) : null;
                default -> null;
            };
            if (text == null) {
                return null;
            }
            out.append(text);
            i = j;
        }
        return out.toString();
    }

    private static String pad(CharSequence flags, String width, String s) {
        int w = width.isEmpty() ? 0 : Integer.parseInt(width);
        if (s.length() >= w) {
            return s;
        }
        String fill = (flags.toString().contains("0") && !flags.toString().contains("-") ? "0" : " ").repeat(w - s.length());
        return flags.toString().contains("-") ? s + fill : fill + s;
    }
}
