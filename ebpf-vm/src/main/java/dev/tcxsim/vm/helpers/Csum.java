package dev.tcxsim.vm.helpers;

/**
 * Internet checksum arithmetic (RFC 1071/1624) as the kernel's csum_* functions do it. Values
 * passed by programs (from/to of the csum_replace helpers) are raw memory contents: a u32 the
 * program loaded from the packet holds the packet's bytes in little-endian order, so the 16-bit
 * words are taken from those bytes in memory order.
 */
public final class Csum {
    private Csum() {
    }

    /** One's-complement sum of the 16-bit network-order words of the low {@code bytes} bytes of {@code v} in memory order. */
    static int wordsOf(long v, int bytes) {
        int sum = 0;
        for (int i = 0; i < bytes; i += 2) {
            int hi = (int) (v >>> (8 * i)) & 0xff;
            int lo = (int) (v >>> (8 * (i + 1))) & 0xff;
            sum = add16(sum, hi << 8 | lo);
        }
        return sum;
    }

    static int add16(int a, int b) {
        int s = a + b;
        return (s & 0xffff) + (s >>> 16);
    }

    /** RFC 1624 eqn. 3: the new checksum after a field's words {@code oldSum} became {@code newSum}. */
    static int replace(int check, int oldSum, int newSum) {
        int s = add16(add16(~check & 0xffff, ~oldSum & 0xffff), newSum);
        return ~s & 0xffff;
    }

    /** csum_sub: one's-complement subtraction of 32-bit partial sums. */
    static long sub(long a, long b) {
        long s = (a & 0xffffffffL) + (~b & 0xffffffffL);
        return ((s & 0xffffffffL) + (s >>> 32)) & 0xffffffffL;
    }

    /** csum_from32to16: a 32-bit partial sum folded to 16 bits, not complemented. */
    static int from32to16(long sum) {
        long s = (sum & 0xffff) + ((sum >>> 16) & 0xffff);
        return (int) ((s & 0xffff) + (s >>> 16));
    }

    /** Folds a 32-bit partial checksum (__wsum, memory-order words) into network-order 16 bits. */
    static int foldWsum(long wsum) {
        long s = wsum & 0xffffffffL;
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        // the words were summed in little-endian order; a one's-complement sum commutes with byte swapping
        return Short.reverseBytes((short) s) & 0xffff;
    }

    /** csum_partial on x86: little-endian 32-bit words (then a 16-bit and an 8-bit tail) summed with end-around carry into {@code seed}. */
    static long partial(byte[] data, long seed) {
        long sum = seed & 0xffffffffL;
        int i = 0;
        for (; i + 3 < data.length; i += 4) {
            sum += (data[i] & 0xffL) | (data[i + 1] & 0xffL) << 8 | (data[i + 2] & 0xffL) << 16 | (data[i + 3] & 0xffL) << 24;
        }
        if (i + 1 < data.length) {
            sum += (data[i] & 0xffL) | (data[i + 1] & 0xffL) << 8;
            i += 2;
        }
        if (i < data.length) {
            sum += data[i] & 0xffL;
        }
        sum = (sum & 0xffffffffL) + (sum >>> 32);
        sum = (sum & 0xffffffffL) + (sum >>> 32);
        return sum & 0xffffffffL;
    }
}
