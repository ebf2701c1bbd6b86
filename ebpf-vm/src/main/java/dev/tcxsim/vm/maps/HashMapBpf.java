package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH with preallocated elements: a key
 * index in front of {@code max_entries} value slots. Iteration (get_next_key) follows insertion
 * order; the LRU variants evict the least recently used element when an insert finds the map full
 * (the kernel's LRU is approximate, ours is exact).
 */
public final class HashMapBpf extends BpfMap {
    private final boolean percpu;
    private final boolean lru;
    private final LinkedHashMap<Key, Integer> index;
    private final int[] freeSlots;
    private int freeCount;

    /** Key bytes with value equality. */
    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** BPF_F_NO_COMMON_LRU: an LRU list per CPU instead of one (LRU types only). */
    public static final int BPF_F_NO_COMMON_LRU = 0x2;
    /** htab_map_alloc_check's mask: NO_PREALLOC, NO_COMMON_LRU, NUMA_NODE, the access flags, ZERO_SEED. */
    static final int CREATE_FLAG_MASK = BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | 0x4 | 0x8 | 0x10 | 0x40
            | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;

    HashMapBpf(MapSpec spec, boolean percpu, boolean lru) throws MapException {
        super(validateFlags(validate(spec), lru), spec.maxEntries() * (percpu ? NR_CPUS : 1));
        this.percpu = percpu;
        this.lru = lru;
        this.index = new LinkedHashMap<>(16, 0.75f, lru);
        this.freeSlots = new int[spec.maxEntries()];
        for (int i = 0; i < freeSlots.length; i++) {
            freeSlots[i] = freeSlots.length - 1 - i;
        }
        this.freeCount = freeSlots.length;
    }

    /**
     * The flag rules of htab_map_alloc_check: known flags only, BPF_F_NO_COMMON_LRU only on LRU maps,
     * and LRU maps are always preallocated (BPF_F_NO_PREALLOC is ENOTSUPP there; plain and per-CPU
     * hash maps accept it, and the simulator's maps behave the same either way).
     */
    private static MapSpec validateFlags(MapSpec spec, boolean lru) throws MapException {
        int f = spec.flags();
        String kind = MapTypes.name(spec.type()) + " map '" + spec.name() + "'";
        if ((f & ~CREATE_FLAG_MASK) != 0 || (f & BPF_F_RDONLY_PROG) != 0 && (f & BPF_F_WRONLY_PROG) != 0) {
            throw new MapException(MapException.EINVAL, kind + ": flags 0x" + Integer.toHexString(f)
                    + " include some a hash map does not take");
        }
        if (!lru && (f & BPF_F_NO_COMMON_LRU) != 0) {
            throw new MapException(MapException.EINVAL, kind + ": BPF_F_NO_COMMON_LRU is for LRU maps only");
        }
        if (lru && (f & BPF_F_NO_PREALLOC) != 0) {
            throw new MapException(MapException.ENOTSUPP, kind + ": LRU maps are always preallocated, "
                    + "BPF_F_NO_PREALLOC is not supported");
        }
        return spec;
    }

    private static MapSpec validate(MapSpec spec) throws MapException {
        if (spec.keySize() == 0 || spec.valueSize() == 0 || spec.maxEntries() == 0) {
            throw new MapException(MapException.EINVAL, "hash map '" + spec.name()
                    + "' needs key size, value size and max_entries > 0 (got key " + spec.keySize() + ", value "
                    + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        if (spec.keySize() > 512) {
            throw new MapException(MapException.E2BIG, "hash map '" + spec.name() + "': key size " + spec.keySize()
                    + " is larger than the 512-byte BPF stack");
        }
        return spec;
    }

    public synchronized int size() {
        return index.size();
    }

    private int physical(int entrySlot, int cpu) {
        return ((percpu ? cpu * maxEntries() : 0) + entrySlot) * valueSize();
    }

    @Override
    public synchronized byte[] lookup(byte[] key) {
        if (key == null || key.length != keySize()) {
            return null;
        }
        Integer slot = index.get(new Key(key));
        if (slot == null) {
            return null;
        }
        int vs = valueSize();
        if (!percpu) {
            return Arrays.copyOfRange(values, physical(slot, 0), physical(slot, 0) + vs);
        }
        byte[] out = new byte[NR_CPUS * percpuStride()];
        for (int cpu = 0; cpu < NR_CPUS; cpu++) {
            System.arraycopy(values, physical(slot, cpu), out, cpu * percpuStride(), vs);
        }
        return out;
    }

    /** Finds or makes the slot for {@code key} under the update flags; negative errno on refusal. */
    private int slotForUpdate(byte[] key, long flags) {
        if ((flags & ~BPF_F_LOCK) > BPF_EXIST) {
            return -MapException.EINVAL;
        }
        Key k = new Key(key.clone());
        Integer slot = index.get(k);
        long mode = flags & 3;
        if (slot != null) {
            return mode == BPF_NOEXIST ? -MapException.EEXIST : slot;
        }
        if (mode == BPF_EXIST) {
            return -MapException.ENOENT;
        }
        if (freeCount == 0) {
            if (!lru) {
                return -MapException.E2BIG;
            }
            Iterator<Map.Entry<Key, Integer>> eldest = index.entrySet().iterator();
            freeSlots[freeCount++] = eldest.next().getValue();
            eldest.remove();
        }
        int s = freeSlots[--freeCount];
        index.put(k, s);
        return s;
    }

    @Override
    public synchronized void update(byte[] key, byte[] value, long flags) throws MapException {
        checkKey(key);
        checkUpdateFlags(flags);
        checkValue(value, percpu ? NR_CPUS * percpuStride() : valueSize());
        int slot = slotForUpdate(key, flags);
        if (slot < 0) {
            throw new MapException(-slot, "hash map '" + name() + "': update refused ("
                    + switch (-slot) {
                        case MapException.EEXIST -> "key exists and BPF_NOEXIST was given";
                        case MapException.ENOENT -> "key absent and BPF_EXIST was given";
                        case MapException.E2BIG -> "map is full (" + maxEntries() + " entries)";
                        default -> "bad flags";
                    } + ")");
        }
        for (int cpu = 0; cpu < (percpu ? NR_CPUS : 1); cpu++) {
            System.arraycopy(value, cpu * percpuStride(), values, physical(slot, cpu), valueSize());
        }
    }

    @Override
    public synchronized void delete(byte[] key) throws MapException {
        checkKey(key);
        Integer slot = index.remove(new Key(key));
        if (slot == null) {
            throw new MapException(MapException.ENOENT, "hash map '" + name() + "': no such key");
        }
        freeSlots[freeCount++] = slot;
    }

    @Override
    public synchronized byte[] nextKey(byte[] keyOrNull) throws MapException {
        Iterator<Key> it = index.keySet().iterator();
        if (keyOrNull != null && index.containsKey(new Key(keyOrNull))) {
            while (it.hasNext()) {
                if (Arrays.equals(it.next().bytes(), keyOrNull)) {
                    break;
                }
            }
        }
        if (!it.hasNext()) {
            throw new MapException(MapException.ENOENT, "hash map '" + name() + "': no more keys");
        }
        return it.next().bytes().clone();
    }

    /**
     * {@link #programLookup} with the key read where it lies ({@code len} bytes of {@code mem} from
     * {@code off}, the program's stack), without copying it: the lookup probes the index with a
     * reusable key view, which is safe because every access to the index holds this map's lock.
     */
    public synchronized long programLookupAt(byte[] mem, int off, int cpu) {
        probe.mem = mem;
        probe.off = off;
        Integer slot = index.get(probe);
        probe.mem = null;
        return slot == null ? 0 : slotPointer((percpu ? cpu * maxEntries() : 0) + slot);
    }

    private final Probe probe = new Probe(keySize());

    /** A key view over someone else's bytes, equal to the stored {@link Key} with the same bytes. */
    private static final class Probe {
        private final int len;
        private byte[] mem;
        private int off;

        Probe(int len) {
            this.len = len;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.bytes().length == len
                    && Arrays.equals(mem, off, off + len, k.bytes(), 0, len);
        }

        /** Arrays.hashCode of the same bytes, so a probe finds the stored key's bucket. */
        @Override
        public int hashCode() {
            int h = 1;
            for (int i = off; i < off + len; i++) {
                h = 31 * h + mem[i];
            }
            return h;
        }
    }

    @Override
    public synchronized long programLookup(byte[] key, int cpu) {
        Integer slot = index.get(new Key(key));
        return slot == null ? 0 : slotPointer((percpu ? cpu * maxEntries() : 0) + slot);
    }

    @Override
    public synchronized int programUpdate(byte[] key, byte[] value, long flags, int cpu) {
        boolean existed = index.containsKey(new Key(key));
        int slot = slotForUpdate(key, flags);
        if (slot < 0) {
            return slot;
        }
        if (percpu && !existed) {
            for (int c = 0; c < NR_CPUS; c++) {
                Arrays.fill(values, physical(slot, c), physical(slot, c) + valueSize(), (byte) 0);
            }
        }
        System.arraycopy(value, 0, values, physical(slot, percpu ? cpu : 0), valueSize());
        return 0;
    }

    @Override
    public synchronized int programDelete(byte[] key) {
        Integer slot = index.remove(new Key(key));
        if (slot == null) {
            return -MapException.ENOENT;
        }
        freeSlots[freeCount++] = slot;
        return 0;
    }
}
