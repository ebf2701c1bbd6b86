package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.elf.MapSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * BPF_MAP_TYPE_PROG_ARRAY: slots of programs for bpf_tail_call. From Java a slot's value is the
 * program's {@link LoadedProgram#id()} as a little-endian u32 (the kernel takes a program fd on
 * update and gives the program id on lookup), or use {@link #set}/{@link #get} directly.
 */
public final class ProgArrayMap extends BpfMap {
    private final AtomicReferenceArray<LoadedProgram> slots;

    ProgArrayMap(MapSpec spec) throws MapException {
        super(validate(spec), 0);
        this.slots = new AtomicReferenceArray<>(spec.maxEntries());
    }

    private static MapSpec validate(MapSpec spec) throws MapException {
        if (spec.keySize() != 4 || spec.valueSize() != 4 || spec.maxEntries() == 0) {
            throw new MapException(MapException.EINVAL, "prog array '" + spec.name()
                    + "' needs key size 4, value size 4 and max_entries > 0 (got key " + spec.keySize() + ", value "
                    + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        return spec;
    }

    /** Puts {@code program} (null clears) into slot {@code index}. */
    public void set(int index, LoadedProgram program) throws MapException {
        if (index < 0 || index >= maxEntries()) {
            throw new MapException(MapException.E2BIG, "prog array '" + name() + "': index " + index
                    + " >= max_entries " + maxEntries());
        }
        slots.set(index, program);
    }

    /** The program in slot {@code index}, or null (also for an index out of range). */
    public LoadedProgram get(long index) {
        return index >= 0 && index < maxEntries() ? slots.get((int) index) : null;
    }

    private static int u32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Override
    public byte[] lookup(byte[] key) {
        if (key == null || key.length != 4) {
            return null;
        }
        LoadedProgram p = get(u32(key) & 0xffffffffL);
        return p == null ? null : u32(p.id());
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) throws MapException {
        checkKey(key);
        checkValue(value, 4);
        if (flags != BPF_ANY) {
            throw new MapException(MapException.EINVAL, "prog array '" + name() + "': only BPF_ANY updates are allowed");
        }
        LoadedProgram p = LoadedProgram.byId(u32(value));
        if (p == null) {
            throw new MapException(MapException.EINVAL, "prog array '" + name() + "': no loaded program with id " + u32(value));
        }
        set(u32(key), p);
    }

    @Override
    public void delete(byte[] key) throws MapException {
        checkKey(key);
        int i = u32(key);
        if (i < 0 || i >= maxEntries()) {
            throw new MapException(MapException.E2BIG, "prog array '" + name() + "': index out of range");
        }
        if (slots.getAndSet(i, null) == null) {
            throw new MapException(MapException.ENOENT, "prog array '" + name() + "': slot " + i + " is empty");
        }
    }

    @Override
    public byte[] nextKey(byte[] keyOrNull) throws MapException {
        long i = keyOrNull == null || keyOrNull.length != 4 ? -1 : u32(keyOrNull) & 0xffffffffL;
        long next = i >= maxEntries() ? 0 : i + 1;
        if (next >= maxEntries()) {
            throw new MapException(MapException.ENOENT, "prog array '" + name() + "': no key after " + i);
        }
        return u32((int) next);
    }
}
