package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BPF_MAP_TYPE_ARRAY_OF_MAPS and HASH_OF_MAPS (kernel/bpf/arraymap.c, hashtab.c, map_in_map.c):
 * values are other maps. The outer map is created with an inner-map template (the kernel's
 * inner_map_fd, libbpf's {@code __array(values, struct inner)}) and takes only inner maps whose
 * type, key size, value size and flags equal the template's, and whose max_entries does too unless
 * the template has BPF_F_INNER_MAP.
 *
 * <p>A program's lookup returns the inner map itself (a map handle), which the program then passes
 * to bpf_map_lookup_elem; programs cannot update or delete (the kernel's verifier allows only
 * lookups on these maps). On the syscall side a value is a little-endian u32 naming the inner map
 * by its {@link BpfMap#id()} (the kernel takes an fd on update and gives a map id on lookup), or use
 * {@link #set}/{@link #get} with the map directly.
 */
public final class MapOfMaps extends BpfMap {
    /** map_flags bit of an inner template: inner maps may differ in max_entries. */
    public static final int BPF_F_INNER_MAP = 0x1000;

    private final boolean hash;
    private final MapSpec template;
    private final BpfMap[] array;
    private final LinkedHashMap<Key, BpfMap> table;

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

    MapOfMaps(MapSpec spec, boolean hash, MapSpec template) throws MapException {
        super(validate(spec, hash, template), 0);
        this.hash = hash;
        this.template = template;
        this.array = hash ? null : new BpfMap[spec.maxEntries()];
        this.table = hash ? new LinkedHashMap<>() : null;
    }

    private static MapSpec validate(MapSpec spec, boolean hash, MapSpec template) throws MapException {
        String kind = hash ? "hash of maps" : "array of maps";
        if (template == null) {
            throw new MapException(MapException.EINVAL, kind + " '" + spec.name() + "' needs an inner map template "
                    + "(inner_map_fd, or __array(values, struct inner) in the object)");
        }
        if (spec.valueSize() != 4 || spec.maxEntries() == 0 || spec.keySize() == 0 || !hash && spec.keySize() != 4) {
            throw new MapException(MapException.EINVAL, kind + " '" + spec.name() + "' needs " + (hash ? "a key size"
                    : "key size 4") + ", value size 4 and max_entries > 0 (got key " + spec.keySize() + ", value "
                    + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        int t = template.type();
        if (t == TYPE_PROG_ARRAY || t == TYPE_ARRAY_OF_MAPS || t == TYPE_HASH_OF_MAPS) {
            throw new MapException(MapException.EINVAL, kind + " '" + spec.name() + "': a " + MapTypes.name(t)
                    + " map cannot be an inner map");
        }
        return spec;
    }

    public boolean isHash() {
        return hash;
    }

    /** The inner-map template every inner map must match. */
    public MapSpec template() {
        return template;
    }

    /** The kernel's bpf_map_meta_equal: null when {@code inner} fits the template, else why not. */
    private String mismatch(BpfMap inner) {
        if (inner.type() != template.type()) {
            return "type " + MapTypes.name(inner.type()) + " instead of " + MapTypes.name(template.type());
        }
        if (inner.keySize() != template.keySize() || inner.valueSize() != template.valueSize()) {
            return "key/value size " + inner.keySize() + "/" + inner.valueSize() + " instead of "
                    + template.keySize() + "/" + template.valueSize();
        }
        if (inner.flags() != template.flags()) {
            return "flags 0x" + Integer.toHexString(inner.flags()) + " instead of 0x"
                    + Integer.toHexString(template.flags());
        }
        if ((template.flags() & BPF_F_INNER_MAP) == 0 && inner.maxEntries() != template.maxEntries()) {
            return "max_entries " + inner.maxEntries() + " instead of " + template.maxEntries()
                    + " (the template lacks BPF_F_INNER_MAP)";
        }
        return null;
    }

    private static long index(byte[] key) {
        return ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    /** Puts {@code inner} under {@code key} with update flags BPF_ANY/NOEXIST/EXIST. */
    public synchronized void set(byte[] key, BpfMap inner, long flags) throws MapException {
        checkKey(key);
        checkUpdateFlags(flags);
        if (inner == null) {
            throw new MapException(MapException.EBADF, "map '" + name() + "': no inner map given");
        }
        String why = mismatch(inner);
        if (why != null) {
            throw new MapException(MapException.EINVAL, "map '" + name() + "': inner map '" + inner.name()
                    + "' does not match the template: " + why);
        }
        long mode = flags & 3;
        if (!hash) {
            long i = index(key);
            if (i >= maxEntries()) {
                throw new MapException(MapException.E2BIG, "array of maps '" + name() + "': index " + i
                        + " >= max_entries " + maxEntries());
            }
            if (flags != BPF_ANY) {
                throw new MapException(MapException.EINVAL, "array of maps '" + name()
                        + "': only BPF_ANY updates are allowed (like every fd array)");
            }
            array[(int) i] = inner;
            return;
        }
        Key k = new Key(key.clone());
        boolean exists = table.containsKey(k);
        if (exists && mode == BPF_NOEXIST) {
            throw new MapException(MapException.EEXIST, "hash of maps '" + name() + "': key exists");
        }
        if (!exists && mode == BPF_EXIST) {
            throw new MapException(MapException.ENOENT, "hash of maps '" + name() + "': key absent");
        }
        if (!exists && table.size() >= maxEntries()) {
            throw new MapException(MapException.E2BIG, "hash of maps '" + name() + "' is full (" + maxEntries()
                    + " entries)");
        }
        table.put(k, inner);
    }

    /** The inner map under {@code key}, or null. */
    public synchronized BpfMap get(byte[] key) {
        if (key == null || key.length != keySize()) {
            return null;
        }
        if (!hash) {
            long i = index(key);
            return i < maxEntries() ? array[(int) i] : null;
        }
        return table.get(new Key(key));
    }

    @Override
    public byte[] lookup(byte[] key) {
        BpfMap inner = get(key);
        return inner == null ? null : u32(inner.id());
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) throws MapException {
        checkValue(value, 4);
        int id = (int) index(value);
        BpfMap inner = BpfMap.byId(id);
        if (inner == null) {
            throw new MapException(MapException.EBADF, "map '" + name() + "': no map with id " + id);
        }
        set(key, inner, flags);
    }

    @Override
    public synchronized void delete(byte[] key) throws MapException {
        checkKey(key);
        if (!hash) {
            long i = index(key);
            if (i >= maxEntries()) {
                throw new MapException(MapException.E2BIG, "array of maps '" + name() + "': index " + i
                        + " >= max_entries " + maxEntries());
            }
            if (array[(int) i] == null) {
                throw new MapException(MapException.ENOENT, "array of maps '" + name() + "': slot " + i + " is empty");
            }
            array[(int) i] = null;
            return;
        }
        if (table.remove(new Key(key)) == null) {
            throw new MapException(MapException.ENOENT, "hash of maps '" + name() + "': no such key");
        }
    }

    @Override
    public synchronized byte[] nextKey(byte[] keyOrNull) throws MapException {
        if (!hash) {
            long i = keyOrNull == null || keyOrNull.length != 4 ? -1 : index(keyOrNull);
            long next = i >= maxEntries() ? 0 : i + 1;
            if (next >= maxEntries()) {
                throw new MapException(MapException.ENOENT, "array of maps '" + name() + "': no key after " + i);
            }
            return u32((int) next);
        }
        Iterator<Key> it = table.keySet().iterator();
        if (keyOrNull != null && table.containsKey(new Key(keyOrNull))) {
            while (it.hasNext() && !Arrays.equals(it.next().bytes(), keyOrNull)) {
                // advance past the given key
            }
        }
        if (!it.hasNext()) {
            throw new MapException(MapException.ENOENT, "hash of maps '" + name() + "': no more keys");
        }
        return it.next().bytes().clone();
    }

    @Override
    public long programLookup(byte[] key, int cpu) {
        BpfMap inner = get(key);
        return inner == null ? 0 : inner.handle();
    }

    /**
     * Fills the map-in-map slots an object's {@code .values} initializer names ({@link
     * MapSpec#initialMapSlots()}), after all maps of the object exist; {@code maps} is in
     * {@code specs}' order. The key of slot i is i as a u32, as libbpf writes it. Maps for which
     * {@code fresh} is false (reused pinned maps) keep what they hold.
     */
    public static void fillInitialSlots(List<MapSpec> specs, List<BpfMap> maps, java.util.function.IntPredicate fresh)
            throws MapException {
        for (int i = 0; i < specs.size(); i++) {
            Map<Integer, String> slots = specs.get(i).initialMapSlots();
            if (slots == null || slots.isEmpty() || !fresh.test(i)) {
                continue;
            }
            if (!(maps.get(i) instanceof MapOfMaps outer)) {
                throw new MapException(MapException.EINVAL, "map '" + specs.get(i).name()
                        + "' has initial inner maps but is not a map of maps");
            }
            for (Map.Entry<Integer, String> slot : slots.entrySet()) {
                BpfMap inner = null;
                for (BpfMap m : maps) {
                    if (m.name().equals(slot.getValue())) {
                        inner = m;
                    }
                }
                if (inner == null) {
                    throw new MapException(MapException.EINVAL, "map '" + outer.name() + "' slot " + slot.getKey()
                            + " names map '" + slot.getValue() + "', which the object does not have");
                }
                outer.set(u32(slot.getKey()), inner, BPF_ANY);
            }
        }
    }
}
