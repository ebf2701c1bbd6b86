package dev.tcxsim.vm.maps;

import java.lang.ref.WeakReference;
import java.util.Arrays;

/**
 * Gives every live map a small id that a program's registers can carry in a pointer tag. Entries
 * are weak so that maps no longer referenced by Java code or programs can be collected.
 */
final class MapRegistry {
    private static volatile WeakReference<BpfMap>[] byId = newArray(64);
    private static int next = 1;

    private MapRegistry() {
    }

    @SuppressWarnings("unchecked")
    private static WeakReference<BpfMap>[] newArray(int n) {
        return (WeakReference<BpfMap>[]) new WeakReference<?>[n];
    }

    static synchronized int register(BpfMap map) {
        if (next >= 0x3fff_0000) {
            throw new IllegalStateException("too many maps created in this JVM");
        }
        int id = next++;
        // copy on write: readers take the array without a lock, so a new entry is published by the volatile store
        WeakReference<BpfMap>[] table = Arrays.copyOf(byId, Math.max(byId.length, Integer.highestOneBit(id) * 2));
        table[id] = new WeakReference<>(map);
        byId = table;
        return id;
    }

    static BpfMap get(int id) {
        WeakReference<BpfMap>[] table = byId;
        if (id <= 0 || id >= table.length) {
            return null;
        }
        WeakReference<BpfMap> ref = table[id];
        return ref == null ? null : ref.get();
    }
}
