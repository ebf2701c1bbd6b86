package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

/**
 * BPF_MAP_TYPE_BLOOM_FILTER (kernel/bpf/bloom_filter.c): push sets {@code nr_hash_funcs} bits of a
 * bit array, peek answers 0 ("maybe present") when all of a value's bits are set and -ENOENT
 * otherwise, so there are false positives but never false negatives. {@code nr_hash_funcs} is
 * map_extra's low 4 bits (5 when 0). The array holds {@code max_entries * nr_hash_funcs / ln 2}
 * bits (7/5 for 1/ln 2, rounded up to a power of two, at least 64), and bit i of a value is
 * jhash2 (jhash for sizes not a multiple of 4) of the value seeded with {@code seed + i}, as the
 * kernel computes it; with BPF_F_ZERO_SEED the seed is 0 and the simulator sets the very bits the
 * kernel sets, so even the false positives agree.
 */
public final class BloomFilterMap extends BpfMap {
    /** map_flags bit: hash with seed 0 instead of a random one. */
    public static final int BPF_F_ZERO_SEED = 0x40;
    static final int CREATE_FLAG_MASK = 0x4 | BPF_F_ZERO_SEED | 0x8 | 0x10 | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
    private static final int JHASH_INITVAL = 0xdeadbeef;

    private final int nrHashFuncs;
    private final long bitsetMask;
    private final long[] bits;
    private final int seed;

    BloomFilterMap(MapSpec spec, int seed) throws MapException {
        super(validate(spec), 0);
        int k = (int) (spec.mapExtra() & 0xf);
        this.nrHashFuncs = k == 0 ? 5 : k;
        long nrBits = (long) spec.maxEntries() * nrHashFuncs;
        nrBits = nrBits / 5 * 7;
        long n;
        if (nrBits > 1L << 31) {
            n = 1L << 32;
        } else {
            n = nrBits <= 64 ? 64 : Long.highestOneBit(nrBits - 1) << 1;
        }
        if (n > 1L << 30) {
            throw new MapException(MapException.ENOMEM, "bloom filter '" + spec.name() + "': " + n
                    + " bits are more than the simulator keeps (2^30)");
        }
        this.bitsetMask = n - 1;
        this.bits = new long[(int) ((n + 63) / 64)];
        this.seed = (spec.flags() & BPF_F_ZERO_SEED) != 0 ? 0 : seed;
    }

    private static MapSpec validate(MapSpec spec) throws MapException {
        String why = null;
        if (spec.keySize() != 0 || spec.valueSize() == 0 || spec.maxEntries() <= 0) {
            why = "needs key size 0, a value size and max_entries > 0 (got key " + spec.keySize() + ", value "
                    + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")";
        } else if ((spec.flags() & ~CREATE_FLAG_MASK) != 0
                || (spec.flags() & BPF_F_RDONLY_PROG) != 0 && (spec.flags() & BPF_F_WRONLY_PROG) != 0) {
            why = "flags 0x" + Integer.toHexString(spec.flags()) + " include some a bloom filter does not take";
        } else if ((spec.mapExtra() & ~0xfL) != 0) {
            why = "map_extra 0x" + Long.toHexString(spec.mapExtra()) + " is more than a hash function count (0..15)";
        }
        if (why != null) {
            throw new MapException(MapException.EINVAL, "bloom filter '" + spec.name() + "' " + why);
        }
        return spec;
    }

    public int nrHashFuncs() {
        return nrHashFuncs;
    }

    /** Bits in the bit array. */
    public long bitCount() {
        return bitsetMask + 1;
    }

    private long bitOf(byte[] value, int i) {
        int h = value.length % 4 == 0 ? jhash2(value, seed + i) : jhash(value, seed + i);
        return (h & 0xffffffffL) & bitsetMask;
    }

    /** map_push_elem: sets the value's bits; -EINVAL for flags other than BPF_ANY. */
    public synchronized int push(byte[] value, long flags) {
        if (flags != BPF_ANY) {
            return -MapException.EINVAL;
        }
        for (int i = 0; i < nrHashFuncs; i++) {
            long b = bitOf(value, i);
            bits[(int) (b >>> 6)] |= 1L << (b & 63);
        }
        return 0;
    }

    /** map_peek_elem: 0 when every bit of the value is set (maybe present), -ENOENT when surely absent. */
    public synchronized int peek(byte[] value) {
        for (int i = 0; i < nrHashFuncs; i++) {
            long b = bitOf(value, i);
            if ((bits[(int) (b >>> 6)] & 1L << (b & 63)) == 0) {
                return -MapException.ENOENT;
            }
        }
        return 0;
    }

    /** The syscall's lookup of a bloom filter: the value is the question; true for "maybe present". */
    public boolean mayContain(byte[] value) throws MapException {
        checkValue(value, valueSize());
        return peek(value) == 0;
    }

    /** A lookup needs the value as input (use {@link #mayContain}); by key there is nothing to find. */
    @Override
    public byte[] lookup(byte[] key) {
        return null;
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) throws MapException {
        checkKey(key == null ? new byte[0] : key);
        checkValue(value, valueSize());
        if (push(value, flags) != 0) {
            throw new MapException(MapException.EINVAL, "bloom filter '" + name() + "': push flags must be BPF_ANY, "
                    + "got 0x" + Long.toHexString(flags));
        }
    }

    @Override
    public void delete(byte[] key) throws MapException {
        throw new MapException(MapException.EOPNOTSUPP, "bloom filter '" + name() + "': elements cannot be deleted");
    }

    @Override
    public byte[] nextKey(byte[] keyOrNull) throws MapException {
        throw new MapException(MapException.EOPNOTSUPP, "bloom filter '" + name() + "' has no keys to iterate");
    }

    private static int le32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    /** Bob Jenkins' lookup3 as include/linux/jhash.h has it: [a, b, c] in, mixed in place. */
    private static void mix(int[] r) {
        int a = r[0], b = r[1], c = r[2];
        a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
        a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
        b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
        c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
        r[0] = a; r[1] = b; r[2] = c;
    }

    private static int fin(int a, int b, int c) {
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    /** jhash2 over the value's little-endian u32 words. */
    static int jhash2(byte[] v, int initval) {
        int words = v.length / 4;
        int init = JHASH_INITVAL + (words << 2) + initval;
        int[] r = {init, init, init};
        int p = 0;
        while (words > 3) {
            r[0] += le32(v, p);
            r[1] += le32(v, p + 4);
            r[2] += le32(v, p + 8);
            mix(r);
            words -= 3;
            p += 12;
        }
        if (words == 0) {
            return r[2];
        }
        if (words == 3) {
            r[2] += le32(v, p + 8);
        }
        if (words >= 2) {
            r[1] += le32(v, p + 4);
        }
        r[0] += le32(v, p);
        return fin(r[0], r[1], r[2]);
    }

    /** jhash over bytes: whole 12-byte blocks as u32 words, the tail byte by byte. */
    static int jhash(byte[] v, int initval) {
        int length = v.length;
        int init = JHASH_INITVAL + length + initval;
        int[] r = {init, init, init};
        int p = 0;
        while (length > 12) {
            r[0] += le32(v, p);
            r[1] += le32(v, p + 4);
            r[2] += le32(v, p + 8);
            mix(r);
            length -= 12;
            p += 12;
        }
        if (length == 0) {
            return r[2];
        }
        for (int i = length - 1; i >= 0; i--) {
            int byteValue = (v[p + i] & 0xff) << ((i & 3) * 8);
            r[i / 4] += byteValue;
        }
        return fin(r[0], r[1], r[2]);
    }
}
