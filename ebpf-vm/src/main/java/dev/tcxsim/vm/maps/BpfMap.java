package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.mem.Ptr;

/**
 * A BPF map: created from a {@link MapSpec} (an object's map or MAP_CREATE parameters), read and
 * written from Java by key bytes, and from programs through the map helpers.
 *
 * <p>Values live in one preallocated byte array per map (like the kernel's preallocated maps), so
 * a program's lookup returns a tagged pointer into that array and later loads and stores through
 * it are bounds-checked against the one value they point at: value slot {@code i} starts at offset
 * {@code i << strideShift} of the map's region, and the gap between {@code valueSize} and the
 * stride is a guard area in which every access faults.
 */
public abstract class BpfMap {
    /** CPUs the simulator pretends to have: per-CPU maps keep this many copies of each value. */
    public static final int NR_CPUS = 2;

    public static final long BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2, BPF_F_LOCK = 4;
    /** map_flags bit: programs may only read the map. */
    public static final int BPF_F_RDONLY_PROG = 0x80;
    /** map_flags bit: programs may only write the map. */
    public static final int BPF_F_WRONLY_PROG = 0x100;
    /** map_flags bit: allocate elements on demand (required by LPM tries, accepted by hash maps). */
    public static final int BPF_F_NO_PREALLOC = 0x1;

    public static final int TYPE_HASH = 1, TYPE_ARRAY = 2, TYPE_PROG_ARRAY = 3, TYPE_PERF_EVENT_ARRAY = 4, TYPE_PERCPU_HASH = 5,
            TYPE_PERCPU_ARRAY = 6, TYPE_LRU_HASH = 9, TYPE_LRU_PERCPU_HASH = 10, TYPE_LPM_TRIE = 11,
            TYPE_ARRAY_OF_MAPS = 12, TYPE_HASH_OF_MAPS = 13, TYPE_DEVMAP = 14, TYPE_CPUMAP = 16, TYPE_QUEUE = 22,
            TYPE_STACK = 23, TYPE_SK_STORAGE = 24, TYPE_DEVMAP_HASH = 25, TYPE_RINGBUF = 27, TYPE_BLOOM_FILTER = 30;

    private final MapSpec spec;
    private final int id;
    /** Value memory, indexed by slot (see the class comment). */
    protected final byte[] values;
    private final int strideShift;

    protected BpfMap(MapSpec spec, int valueSlots) throws MapException {
        this.spec = spec;
        int vs = Math.max(spec.valueSize(), 1);
        int stride = Integer.highestOneBit(vs) == vs ? vs * 2 : Integer.highestOneBit(vs) * 4;
        this.strideShift = Integer.numberOfTrailingZeros(stride);
        if ((long) valueSlots << strideShift >= Ptr.BIAS || (long) valueSlots * vs > Integer.MAX_VALUE - 16) {
            throw new MapException(MapException.E2BIG, "map '" + spec.name() + "': " + valueSlots + " values of "
                    + vs + " bytes do not fit the simulator's 1 GiB per map");
        }
        this.values = new byte[valueSlots * vs];
        this.id = MapRegistry.register(this);
    }

    /** Creates the map {@code spec} describes; throws MapException (EINVAL, E2BIG, ...) for a bad spec. */
    public static BpfMap create(MapSpec spec) throws MapException {
        return create(spec, (MapSpec) null);
    }

    /**
     * Creates map {@code spec} of an object whose maps are {@code objectMaps}: a map of maps finds
     * its inner template there through {@link MapSpec#innerMapIndex()}.
     */
    public static BpfMap create(MapSpec spec, java.util.List<MapSpec> objectMaps) throws MapException {
        int inner = spec.innerMapIndex();
        return create(spec, inner >= 0 && objectMaps != null && inner < objectMaps.size() ? objectMaps.get(inner) : null);
    }

    /** Creates map {@code spec}; {@code innerTemplate} is the inner-map template of a map of maps (else null). */
    public static BpfMap create(MapSpec spec, MapSpec innerTemplate) throws MapException {
        if (spec.keySize() < 0 || spec.valueSize() < 0 || spec.maxEntries() < 0) {
            throw new MapException(MapException.EINVAL, "map '" + spec.name() + "': negative key, value size or max_entries");
        }
        BpfMap map = switch (spec.type()) {
            case TYPE_ARRAY -> new ArrayMap(spec, false);
            case TYPE_PERCPU_ARRAY -> new ArrayMap(spec, true);
            case TYPE_HASH -> new HashMapBpf(spec, false, false);
            case TYPE_PERCPU_HASH -> new HashMapBpf(spec, true, false);
            case TYPE_LRU_HASH -> new HashMapBpf(spec, false, true);
            case TYPE_LRU_PERCPU_HASH -> new HashMapBpf(spec, true, true);
            case TYPE_PROG_ARRAY -> new ProgArrayMap(spec);
            case TYPE_RINGBUF -> new RingBufMap(spec);
            case TYPE_PERF_EVENT_ARRAY -> new PerfEventArrayMap(spec);
            case TYPE_LPM_TRIE -> new LpmTrieMap(spec);
            case TYPE_ARRAY_OF_MAPS -> new MapOfMaps(spec, false, innerTemplate);
            case TYPE_HASH_OF_MAPS -> new MapOfMaps(spec, true, innerTemplate);
            case TYPE_DEVMAP -> new DevMap(spec, false);
            case TYPE_DEVMAP_HASH -> new DevMap(spec, true);
            case TYPE_BLOOM_FILTER -> new BloomFilterMap(spec, spec.name().hashCode() ^ 0x5eed1234);
            case TYPE_QUEUE -> new QueueStackMap(spec, false);
            case TYPE_STACK -> new QueueStackMap(spec, true);
            default -> throw new MapException(MapException.EINVAL, "map '" + spec.name() + "': map type "
                    + spec.type() + " (" + MapTypes.name(spec.type()) + ") is not supported by the simulator"
                    + MapTypes.whyUnsupported(spec.type()));
        };
        byte[] init = spec.initialData();
        if (init != null && init.length > 0) {
            map.initialize(init);
        }
        return map;
    }

    public MapSpec spec() { return spec; }
    public String name() { return spec.name(); }
    public int type() { return spec.type(); }
    public int keySize() { return spec.keySize(); }
    public int valueSize() { return spec.valueSize(); }
    public int maxEntries() { return spec.maxEntries(); }
    public int flags() { return spec.flags(); }

    /** The id a program's pointers carry for this map (not the kernel's map id). */
    public final int id() {
        return id;
    }

    /** The map a pointer tag's id names, or null. */
    public static BpfMap byId(int id) {
        return MapRegistry.get(id);
    }

    /** True when programs may only read this map's values (BPF_F_RDONLY_PROG, as libbpf sets it on .rodata). */
    public final boolean programReadOnly() {
        return (spec.flags() & BPF_F_RDONLY_PROG) != 0;
    }

    /** The value memory that program pointers into this map address. */
    public byte[] memory() {
        return values;
    }

    /** log2 of the distance between value slots in the map's pointer space; -1 for a flat region. */
    public int strideShift() {
        return strideShift;
    }

    /** The tagged pointer to the start of value slot {@code slot}. */
    public final long slotPointer(int slot) {
        return Ptr.make(Ptr.MAP_VALUE + id, slot << strideShift);
    }

    /** The handle LD_IMM64 BPF_PSEUDO_MAP_FD loads for this map. */
    public final long handle() {
        return Ptr.make(Ptr.MAP_HANDLE + id, 0);
    }

    /** Writes a global data section's initial bytes into value 0. */
    protected void initialize(byte[] data) throws MapException {
        if (data.length > valueSize()) {
            throw new MapException(MapException.EINVAL, "map '" + name() + "': initial data of " + data.length
                    + " bytes is larger than the value size " + valueSize());
        }
        System.arraycopy(data, 0, values, 0, data.length);
    }

    // ---- Java side (the bpf(2) syscall's view)

    /** The value stored under {@code key}, or null when absent. Per-CPU maps return every CPU's value, each padded to 8 bytes. */
    public abstract byte[] lookup(byte[] key);

    /** Stores {@code value} under {@code key}; flags BPF_ANY (0), BPF_NOEXIST (1), BPF_EXIST (2). */
    public abstract void update(byte[] key, byte[] value, long flags) throws MapException;

    public abstract void delete(byte[] key) throws MapException;

    /**
     * BPF_MAP_LOOKUP_AND_DELETE_ELEM: the value, removed from the map (a pop for queues and
     * stacks). ENOTSUPP for map types the simulator does not offer it on.
     */
    public byte[] lookupAndDelete(byte[] key) throws MapException {
        throw new MapException(MapException.ENOTSUPP, MapTypes.name(type()) + " map '" + name()
                + "' does not support lookup-and-delete");
    }

    /** The key after {@code keyOrNull} (the first key for null or an absent key); ENOENT at the end. */
    public abstract byte[] nextKey(byte[] keyOrNull) throws MapException;

    // ---- program side (the helpers' view); errors are negative errno values

    /** bpf_map_lookup_elem: a tagged pointer to the value (this CPU's for per-CPU maps), or 0. */
    public long programLookup(byte[] key, int cpu) {
        return 0;
    }

    /** bpf_map_update_elem from a program: 0 or a negative errno. Per-CPU maps update this CPU's value only. */
    public int programUpdate(byte[] key, byte[] value, long flags, int cpu) {
        return -MapException.EINVAL;
    }

    /** bpf_map_delete_elem from a program: 0 or a negative errno. */
    public int programDelete(byte[] key) {
        return -MapException.EINVAL;
    }

    // ---- shared checks

    protected final void checkKey(byte[] key) throws MapException {
        if (key == null || key.length != keySize()) {
            throw new MapException(MapException.EINVAL, "map '" + name() + "': key must be " + keySize() + " bytes, got "
                    + (key == null ? "null" : key.length));
        }
    }

    protected final void checkValue(byte[] value, int expected) throws MapException {
        if (value == null || value.length != expected) {
            throw new MapException(MapException.EINVAL, "map '" + name() + "': value must be " + expected
                    + " bytes, got " + (value == null ? "null" : value.length));
        }
    }

    protected final void checkUpdateFlags(long flags) throws MapException {
        if ((flags & ~BPF_F_LOCK) > BPF_EXIST) {
            throw new MapException(MapException.EINVAL, "map '" + name() + "': bad update flags 0x" + Long.toHexString(flags));
        }
    }

    /** Bytes of one CPU's value in the Java-side per-CPU layout: valueSize rounded up to 8. */
    protected final int percpuStride() {
        return (valueSize() + 7) & ~7;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name() + " type=" + type() + " key=" + keySize() + " value="
                + valueSize() + " max=" + maxEntries() + "]";
    }
}
