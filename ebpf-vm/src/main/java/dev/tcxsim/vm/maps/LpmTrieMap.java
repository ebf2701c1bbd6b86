package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c). A key is a little-endian u32 prefix length
 * followed by {@code key_size - 4} data bytes read big-endian, bit 0 being the top bit of byte 0.
 * Lookups (from programs and from the syscall side alike) return the value of the longest stored
 * prefix that matches the key's data within the key's own prefix length; update and delete name
 * one prefix exactly.
 *
 * <p>The kernel keeps a binary trie and walks it in postorder for get_next_key: prefixes in the
 * 0-branch before the 1-branch, and a longer prefix before a shorter one it extends. That order
 * depends only on the stored prefixes, so a sorted map with {@link #POSTORDER} reproduces it
 * without building the trie. Like the kernel, an element keeps the whole data of the key it was
 * stored with (bits past the prefix length included) and get_next_key returns those bytes.
 */
public final class LpmTrieMap extends BpfMap {
    /** BPF_F_NO_PREALLOC (required), BPF_F_NUMA_NODE and the access flags. */
    static final int CREATE_FLAG_MASK = BPF_F_NO_PREALLOC | 0x4 | 0x8 | 0x10 | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
    private static final int KEY_SIZE_MIN = 5, KEY_SIZE_MAX = 4 + 256;

    /** A stored prefix: its length and the key bytes it was stored with. */
    private record Prefix(int len, byte[] data) {
    }

    private record Element(byte[] key, int slot) {
    }

    private static int bit(byte[] data, int i) {
        return (data[i >>> 3] >>> (7 - (i & 7))) & 1;
    }

    /** The kernel trie's postorder: first differing bit 0 before 1; when one extends the other, the longer first. */
    static final Comparator<Prefix> POSTORDER = (a, b) -> {
        int n = Math.min(a.len, b.len);
        for (int i = 0; i < n; i++) {
            int d = bit(a.data, i) - bit(b.data, i);
            if (d != 0) {
                return d;
            }
        }
        return Integer.compare(b.len, a.len);
    };

    private final int maxPrefixLen;
    private final TreeMap<Prefix, Element> elements = new TreeMap<>(POSTORDER);
    private final int[] freeSlots;
    private int freeCount;

    LpmTrieMap(MapSpec spec) throws MapException {
        super(validate(spec), spec.maxEntries());
        this.maxPrefixLen = (spec.keySize() - 4) * 8;
        this.freeSlots = new int[spec.maxEntries()];
        for (int i = 0; i < freeSlots.length; i++) {
            freeSlots[i] = freeSlots.length - 1 - i;
        }
        this.freeCount = freeSlots.length;
    }

    private static MapSpec validate(MapSpec spec) throws MapException {
        String why = null;
        if (spec.maxEntries() == 0) {
            why = "max_entries must be > 0";
        } else if ((spec.flags() & BPF_F_NO_PREALLOC) == 0) {
            why = "BPF_F_NO_PREALLOC is required (the kernel never preallocates LPM tries)";
        } else if ((spec.flags() & ~CREATE_FLAG_MASK) != 0) {
            why = "flags 0x" + Integer.toHexString(spec.flags()) + " include some an LPM trie does not take";
        } else if (spec.keySize() < KEY_SIZE_MIN || spec.keySize() > KEY_SIZE_MAX) {
            why = "key size " + spec.keySize() + " is not 4 (prefixlen) + 1..256 data bytes";
        } else if (spec.valueSize() < 1) {
            why = "value size must be > 0";
        }
        if (why != null) {
            throw new MapException(MapException.EINVAL, "LPM trie '" + spec.name() + "': " + why);
        }
        return spec;
    }

    /** The longest prefix the trie can hold: 8 bits per data byte. */
    public int maxPrefixLen() {
        return maxPrefixLen;
    }

    public synchronized int size() {
        return elements.size();
    }

    private static int prefixLen(byte[] key) {
        return (key[0] & 0xff) | (key[1] & 0xff) << 8 | (key[2] & 0xff) << 16 | (key[3] & 0xff) << 24;
    }

    private Prefix prefix(byte[] key) {
        return new Prefix(prefixLen(key), Arrays.copyOfRange(key, 4, key.length));
    }

    /** The element of the longest stored prefix matching {@code key}, or null. */
    private Element longestMatch(byte[] key) {
        int len = prefixLen(key);
        if (len < 0 || len > maxPrefixLen) {
            return null;
        }
        byte[] data = Arrays.copyOfRange(key, 4, key.length);
        for (int l = len; l >= 0; l--) {
            Element e = elements.get(new Prefix(l, data));
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    private int physical(int slot) {
        return slot * valueSize();
    }

    @Override
    public synchronized byte[] lookup(byte[] key) {
        if (key == null || key.length != keySize()) {
            return null;
        }
        Element e = longestMatch(key);
        return e == null ? null : Arrays.copyOfRange(values, physical(e.slot), physical(e.slot) + valueSize());
    }

    /** Stores the value's slot for {@code key}; 0 or a negative errno as trie_update_elem returns it. */
    private int store(byte[] key, byte[] value, long flags) {
        if ((flags & ~BPF_F_LOCK) > BPF_EXIST) {
            return -MapException.EINVAL;
        }
        int len = prefixLen(key);
        if (len < 0 || len > maxPrefixLen) {
            return -MapException.EINVAL;
        }
        Prefix p = prefix(key);
        Element old = elements.get(p);
        long mode = flags & 3;
        if (old != null && mode == BPF_NOEXIST) {
            return -MapException.EEXIST;
        }
        if (old == null && mode == BPF_EXIST) {
            return -MapException.ENOENT;
        }
        int slot;
        if (old != null) {
            slot = old.slot;
            elements.remove(p);
        } else {
            if (freeCount == 0) {
                return -MapException.ENOSPC;
            }
            slot = freeSlots[--freeCount];
        }
        elements.put(p, new Element(key.clone(), slot));
        System.arraycopy(value, 0, values, physical(slot), valueSize());
        return 0;
    }

    @Override
    public synchronized void update(byte[] key, byte[] value, long flags) throws MapException {
        checkKey(key);
        checkValue(value, valueSize());
        int rc = store(key, value, flags);
        if (rc != 0) {
            throw new MapException(-rc, "LPM trie '" + name() + "': update refused (" + switch (-rc) {
                case MapException.EEXIST -> "prefix exists and BPF_NOEXIST was given";
                case MapException.ENOENT -> "prefix absent and BPF_EXIST was given";
                case MapException.ENOSPC -> "trie is full (" + maxEntries() + " prefixes)";
                default -> "bad flags 0x" + Long.toHexString(flags) + " or prefix length " + prefixLen(key)
                        + " above " + maxPrefixLen;
            } + ")");
        }
    }

    private int remove(byte[] key) {
        int len = prefixLen(key);
        if (len < 0 || len > maxPrefixLen) {
            return -MapException.EINVAL;
        }
        Element e = elements.remove(prefix(key));
        if (e == null) {
            return -MapException.ENOENT;
        }
        freeSlots[freeCount++] = e.slot;
        return 0;
    }

    @Override
    public synchronized void delete(byte[] key) throws MapException {
        checkKey(key);
        int rc = remove(key);
        if (rc != 0) {
            throw new MapException(-rc, "LPM trie '" + name() + "': " + (rc == -MapException.ENOENT
                    ? "no prefix /" + prefixLen(key) + " stored for these bits"
                    : "prefix length " + prefixLen(key) + " is above " + maxPrefixLen));
        }
    }

    @Override
    public synchronized byte[] nextKey(byte[] keyOrNull) throws MapException {
        Map.Entry<Prefix, Element> next = null;
        if (keyOrNull != null && keyOrNull.length == keySize() && prefixLen(keyOrNull) >= 0
                && prefixLen(keyOrNull) <= maxPrefixLen && elements.containsKey(prefix(keyOrNull))) {
            next = elements.higherEntry(prefix(keyOrNull));
            if (next == null) {
                throw new MapException(MapException.ENOENT, "LPM trie '" + name() + "': no prefix after the last");
            }
        } else {
            // an absent key starts over at the first prefix, as the kernel's find_leftmost
            next = elements.firstEntry();
            if (next == null) {
                throw new MapException(MapException.ENOENT, "LPM trie '" + name() + "' is empty");
            }
        }
        return next.getValue().key.clone();
    }

    @Override
    public synchronized long programLookup(byte[] key, int cpu) {
        Element e = longestMatch(key);
        return e == null ? 0 : slotPointer(e.slot);
    }

    @Override
    public synchronized int programUpdate(byte[] key, byte[] value, long flags, int cpu) {
        return store(key, value, flags);
    }

    @Override
    public synchronized int programDelete(byte[] key) {
        return remove(key);
    }
}
