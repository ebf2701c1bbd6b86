package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

/**
 * A BPF map: created from a {@link MapSpec} (an object's map or MAP_CREATE parameters), read and
 * written from Java by key bytes, and from programs through the map helpers.
 */
public abstract class BpfMap {
    private final MapSpec spec;

    protected BpfMap(MapSpec spec) {
        this.spec = spec;
    }

    /** Creates the map {@code spec} describes; throws MapException (EINVAL, E2BIG, ...) for a bad spec. */
    public static BpfMap create(MapSpec spec) throws MapException {
        throw new UnsupportedOperationException("not yet");
    }

    public MapSpec spec() { return spec; }
    public String name() { return spec.name(); }
    public int type() { return spec.type(); }
    public int keySize() { return spec.keySize(); }
    public int valueSize() { return spec.valueSize(); }
    public int maxEntries() { return spec.maxEntries(); }
    public int flags() { return spec.flags(); }

    /** The value stored under {@code key}, or null when absent. Per-CPU maps return every CPU's value, each padded to 8 bytes. */
    public abstract byte[] lookup(byte[] key);

    /** Stores {@code value} under {@code key}; flags BPF_ANY (0), BPF_NOEXIST (1), BPF_EXIST (2). */
    public abstract void update(byte[] key, byte[] value, long flags) throws MapException;

    public abstract void delete(byte[] key) throws MapException;

    /** The key after {@code keyOrNull} (the first key for null); ENOENT at the end. */
    public abstract byte[] nextKey(byte[] keyOrNull) throws MapException;
}
