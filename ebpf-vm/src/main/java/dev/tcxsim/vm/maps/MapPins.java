package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps pinned by name (LIBBPF_PIN_BY_NAME) in one VM: the first object that defines a pinned map
 * creates it, every later object with a map of that name reuses it, as libbpf reopens
 * {@code /sys/fs/bpf/<name>}. A reused map must have the same type, key size, value size,
 * max_entries, flags and map_extra (libbpf's map_is_reuse_compat); otherwise loading fails. A reused
 * map keeps its contents: the later object's initial values are not written again.
 */
public final class MapPins {
    private final Map<String, BpfMap> byName = new TreeMap<>();

    /** The created or reused map, and whether it was reused. */
    public record Pinned(BpfMap map, boolean reused) {
    }

    /** Reuses the map pinned as {@code spec.name()} or creates it (with {@code objectMaps} for an inner template) and pins it. */
    public synchronized Pinned reuseOrCreate(MapSpec spec, List<MapSpec> objectMaps) throws MapException {
        BpfMap pinned = byName.get(spec.name());
        if (pinned != null) {
            MapSpec p = pinned.spec();
            if (p.type() != spec.type() || p.keySize() != spec.keySize() || p.valueSize() != spec.valueSize()
                    || p.maxEntries() != spec.maxEntries() || p.flags() != spec.flags()
                    || p.mapExtra() != spec.mapExtra()) {
                throw new MapException(MapException.EINVAL, "couldn't reuse pinned map '" + spec.name()
                        + "': it is " + shape(p) + ", the object wants " + shape(spec));
            }
            return new Pinned(pinned, true);
        }
        BpfMap created = BpfMap.create(spec, objectMaps);
        byName.put(spec.name(), created);
        return new Pinned(created, false);
    }

    private static String shape(MapSpec s) {
        return MapTypes.name(s.type()) + " key " + s.keySize() + " value " + s.valueSize() + " max_entries "
                + s.maxEntries() + " flags 0x" + Integer.toHexString(s.flags())
                + (s.mapExtra() != 0 ? " map_extra " + s.mapExtra() : "");
    }

    /** The map pinned under {@code name}, or null. */
    public synchronized BpfMap get(String name) {
        return byName.get(name);
    }

    /** Removes the pin (the map lives on while objects use it); false when nothing was pinned there. */
    public synchronized boolean unpin(String name) {
        return byName.remove(name) != null;
    }

    /** Names pinned now, sorted. */
    public synchronized List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
