package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY: u32 index keys, every element always exists. */
public final class ArrayMap extends BpfMap {
    private final boolean percpu;

    ArrayMap(MapSpec spec, boolean percpu) throws MapException {
        super(validate(spec), spec.maxEntries() * (percpu ? NR_CPUS : 1));
        this.percpu = percpu;
    }

    private static MapSpec validate(MapSpec spec) throws MapException {
        if (spec.keySize() != 4 || spec.valueSize() == 0 || spec.maxEntries() == 0) {
            throw new MapException(MapException.EINVAL, "array map '" + spec.name()
                    + "' needs key size 4, a value size and max_entries > 0 (got key " + spec.keySize() + ", value "
                    + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        return spec;
    }

    public boolean percpu() {
        return percpu;
    }

    private static long index(byte[] key) {
        return ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
    }

    private int physical(int slot) {
        return slot * valueSize();
    }

    @Override
    public byte[] lookup(byte[] key) {
        if (key == null || key.length != 4) {
            return null;
        }
        long i = index(key);
        if (i >= maxEntries()) {
            return null;
        }
        int vs = valueSize();
        if (!percpu) {
            byte[] out = new byte[vs];
            System.arraycopy(values, physical((int) i), out, 0, vs);
            return out;
        }
        byte[] out = new byte[NR_CPUS * percpuStride()];
        for (int cpu = 0; cpu < NR_CPUS; cpu++) {
            System.arraycopy(values, physical(cpu * maxEntries() + (int) i), out, cpu * percpuStride(), vs);
        }
        return out;
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) throws MapException {
        checkKey(key);
        checkUpdateFlags(flags);
        checkValue(value, percpu ? NR_CPUS * percpuStride() : valueSize());
        long i = index(key);
        if (i >= maxEntries()) {
            throw new MapException(MapException.E2BIG, "array map '" + name() + "': index " + i + " >= max_entries " + maxEntries());
        }
        if ((flags & 3) == BPF_NOEXIST) {
            throw new MapException(MapException.EEXIST, "array map '" + name() + "': every element exists, BPF_NOEXIST fails");
        }
        if (!percpu) {
            System.arraycopy(value, 0, values, physical((int) i), valueSize());
        } else {
            for (int cpu = 0; cpu < NR_CPUS; cpu++) {
                System.arraycopy(value, cpu * percpuStride(), values, physical(cpu * maxEntries() + (int) i), valueSize());
            }
        }
    }

    @Override
    public void delete(byte[] key) throws MapException {
        throw new MapException(MapException.EINVAL, "array map '" + name() + "': elements cannot be deleted");
    }

    @Override
    public byte[] nextKey(byte[] keyOrNull) throws MapException {
        long i = keyOrNull == null || keyOrNull.length != 4 ? -1 : index(keyOrNull);
        long next = i >= maxEntries() ? 0 : i + 1;
        if (next >= maxEntries()) {
            throw new MapException(MapException.ENOENT, "array map '" + name() + "': no key after " + i);
        }
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) next).array();
    }

    @Override
    public long programLookup(byte[] key, int cpu) {
        long i = index(key);
        if (i >= maxEntries()) {
            return 0;
        }
        return slotPointer((percpu ? cpu * maxEntries() : 0) + (int) i);
    }

    @Override
    public int programUpdate(byte[] key, byte[] value, long flags, int cpu) {
        if ((flags & ~BPF_F_LOCK) > BPF_EXIST) {
            return -MapException.EINVAL;
        }
        long i = index(key);
        if (i >= maxEntries()) {
            return -MapException.E2BIG;
        }
        if ((flags & 3) == BPF_NOEXIST) {
            return -MapException.EEXIST;
        }
        System.arraycopy(value, 0, values, physical((percpu ? cpu * maxEntries() : 0) + (int) i), valueSize());
        return 0;
    }

    @Override
    public int programDelete(byte[] key) {
        return -MapException.EINVAL;
    }
}
