package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.IntPredicate;

/**
 * BPF_MAP_TYPE_DEVMAP and DEVMAP_HASH (kernel/bpf/devmap.c): u32 keys to {@code struct
 * bpf_devmap_val} values, an ifindex (value size 4) optionally followed by an XDP program fd (value
 * size 8). The kernel makes these maps read-only for programs (it ORs BPF_F_RDONLY_PROG into the
 * flags), and programs may only look up entries or hand the map to bpf_redirect_map, which exists
 * for XDP programs only. The simulator has no XDP programs, so a value naming a program is refused.
 *
 * <p>Differences kept on purpose: the array variant clears a slot on an update with ifindex 0 and
 * its delete of an empty slot succeeds, as the kernel's do; whether an ifindex names a device is
 * decided by {@link #setDeviceCheck} (the VM alone knows no devices and accepts any non-zero one).
 * The hash variant iterates in insertion order, not the kernel's bucket order.
 */
public final class DevMap extends BpfMap {
    /** BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY: what MAP_CREATE accepts for a devmap. */
    static final int CREATE_FLAG_MASK = 0x4 | 0x8 | 0x10;

    private final boolean hash;
    /** Array variant: slot i holds key i when present[i]. Hash variant: key to slot. */
    private final boolean[] present;
    private final LinkedHashMap<Integer, Integer> index;
    private final int[] freeSlots;
    private int freeCount;
    private volatile IntPredicate deviceExists = ifindex -> true;

    DevMap(MapSpec spec, boolean hash) throws MapException {
        super(validate(spec, hash), spec.maxEntries());
        this.hash = hash;
        this.present = hash ? null : new boolean[spec.maxEntries()];
        this.index = hash ? new LinkedHashMap<>() : null;
        this.freeSlots = new int[hash ? spec.maxEntries() : 0];
        for (int i = 0; i < freeSlots.length; i++) {
            freeSlots[i] = freeSlots.length - 1 - i;
        }
        this.freeCount = freeSlots.length;
    }

    /** Checks MAP_CREATE's rules and returns the spec with BPF_F_RDONLY_PROG added, as dev_map_init_map does. */
    private static MapSpec validate(MapSpec spec, boolean hash) throws MapException {
        int vs = spec.valueSize();
        if (spec.maxEntries() == 0 || spec.keySize() != 4 || vs != 4 && vs != 8
                || (spec.flags() & ~CREATE_FLAG_MASK) != 0) {
            throw new MapException(MapException.EINVAL, (hash ? "devmap_hash '" : "devmap '") + spec.name()
                    + "' needs key size 4, value size 4 (ifindex) or 8 (ifindex, XDP program fd), max_entries > 0 "
                    + "and no flags but BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY (got key " + spec.keySize()
                    + ", value " + vs + ", max_entries " + spec.maxEntries() + ", flags 0x"
                    + Integer.toHexString(spec.flags()) + ")");
        }
        return new MapSpec(spec.name(), spec.type(), spec.keySize(), vs, spec.maxEntries(),
                spec.flags() | BPF_F_RDONLY_PROG, spec.pinning(), spec.kind(), spec.initialData(),
                spec.innerMapIndex(), spec.initialProgSlots(), spec.btfKeyTypeId(), spec.btfValueTypeId(),
                spec.mapExtra(), spec.initialMapSlots());
    }

    public boolean isHash() {
        return hash;
    }

    /** Decides which ifindexes name a device (the simulated kernel plugs in its device table). */
    public void setDeviceCheck(IntPredicate exists) {
        this.deviceExists = exists == null ? ifindex -> true : exists;
    }

    private static int u32(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private String what() {
        return (hash ? "devmap_hash '" : "devmap '") + name() + "'";
    }

    @Override
    public synchronized byte[] lookup(byte[] key) {
        if (key == null || key.length != 4) {
            return null;
        }
        int slot = slotOf(u32(key, 0));
        return slot < 0 ? null : Arrays.copyOfRange(values, slot * valueSize(), (slot + 1) * valueSize());
    }

    /** The value slot holding {@code k}, or -1. */
    private int slotOf(int k) {
        if (!hash) {
            return Integer.compareUnsigned(k, maxEntries()) < 0 && present[k] ? k : -1;
        }
        Integer slot = index.get(k);
        return slot == null ? -1 : slot;
    }

    @Override
    public synchronized void update(byte[] key, byte[] value, long flags) throws MapException {
        checkKey(key);
        checkValue(value, valueSize());
        int k = u32(key, 0);
        int ifindex = u32(value, 0);
        if (valueSize() == 8 && u32(value, 4) > 0) {
            throw new MapException(MapException.EINVAL, what() + ": program fd " + u32(value, 4) + " in the value: "
                    + "devmap programs are XDP programs, which the simulator does not run");
        }
        if (!hash) {
            if (Integer.compareUnsigned(k, maxEntries()) >= 0) {
                throw new MapException(MapException.E2BIG, what() + ": index " + Integer.toUnsignedString(k)
                        + " >= max_entries " + maxEntries());
            }
            if (flags > BPF_EXIST) {
                throw new MapException(MapException.EINVAL, what() + ": bad update flags 0x" + Long.toHexString(flags));
            }
            if (flags == BPF_NOEXIST) {
                throw new MapException(MapException.EEXIST, what() + ": every slot exists, BPF_NOEXIST fails");
            }
            if (ifindex == 0) {
                present[k] = false;
                return;
            }
            checkDevice(ifindex);
            System.arraycopy(value, 0, values, k * valueSize(), valueSize());
            present[k] = true;
            return;
        }
        if (flags > BPF_EXIST) {
            throw new MapException(MapException.EINVAL, what() + ": bad update flags 0x" + Long.toHexString(flags));
        }
        Integer old = index.get(k);
        if (old != null && (flags & BPF_NOEXIST) != 0) {
            throw new MapException(MapException.EEXIST, what() + ": key " + k + " exists and BPF_NOEXIST was given");
        }
        checkDevice(ifindex);
        int slot;
        if (old != null) {
            slot = old;
        } else {
            if (freeCount == 0) {
                throw new MapException(MapException.E2BIG, what() + " is full (" + maxEntries() + " entries)");
            }
            slot = freeSlots[--freeCount];
            index.put(k, slot);
        }
        System.arraycopy(value, 0, values, slot * valueSize(), valueSize());
    }

    private void checkDevice(int ifindex) throws MapException {
        if (ifindex == 0 || !deviceExists.test(ifindex)) {
            throw new MapException(MapException.EINVAL, what() + ": no device with ifindex " + ifindex);
        }
    }

    @Override
    public synchronized void delete(byte[] key) throws MapException {
        checkKey(key);
        int k = u32(key, 0);
        if (!hash) {
            if (Integer.compareUnsigned(k, maxEntries()) >= 0) {
                throw new MapException(MapException.EINVAL, what() + ": index " + Integer.toUnsignedString(k)
                        + " >= max_entries " + maxEntries());
            }
            present[k] = false;
            return;
        }
        Integer slot = index.remove(k);
        if (slot == null) {
            throw new MapException(MapException.ENOENT, what() + ": no key " + k);
        }
        freeSlots[freeCount++] = slot;
    }

    @Override
    public synchronized byte[] nextKey(byte[] keyOrNull) throws MapException {
        if (!hash) {
            long i = keyOrNull == null || keyOrNull.length != 4 ? -1 : u32(keyOrNull, 0) & 0xffffffffL;
            long next = i >= maxEntries() ? 0 : i + 1;
            if (next >= maxEntries()) {
                throw new MapException(MapException.ENOENT, what() + ": no key after " + i);
            }
            return u32((int) next);
        }
        Iterator<Integer> it = index.keySet().iterator();
        if (keyOrNull != null && keyOrNull.length == 4 && index.containsKey(u32(keyOrNull, 0))) {
            int k = u32(keyOrNull, 0);
            while (it.hasNext() && it.next() != k) {
                // advance past the given key
            }
        }
        if (!it.hasNext()) {
            throw new MapException(MapException.ENOENT, what() + ": no more keys");
        }
        return u32(it.next());
    }

    @Override
    public synchronized long programLookup(byte[] key, int cpu) {
        int slot = slotOf(u32(key, 0));
        return slot < 0 ? 0 : slotPointer(slot);
    }

    /** The ifindex under {@code key} for bpf_redirect_map, or 0 when the key is absent. */
    public synchronized int ifindexAt(int key) {
        int slot = slotOf(key);
        return slot < 0 ? 0 : u32(values, slot * valueSize());
    }
}
