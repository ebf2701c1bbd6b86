package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps pinned by name (LIBBPF_PIN_BY_NAME) in one VM, by pin path ({@code <pin root>/<map name>},
 * the root from the object's load options, /sys/fs/bpf by default): the first object that defines a
 * pinned map creates it, every later object whose map has the same path reuses it, as libbpf
 * reopens the pinned file. Nothing touches the real bpffs. A reused map must have the same type, key size, value size,
 * max_entries, flags and map_extra (libbpf's map_is_reuse_compat); otherwise loading fails. A reused
 * map keeps its contents: the later object's initial values are not written again.
 */
public final class MapPins {
    private final Map<String, BpfMap> byName = new TreeMap<>();

    /** The created or reused map, and whether it was reused. */
    public record Pinned(BpfMap map, boolean reused) {
    }

    /** libbpf's pin path of a map pinned by name: {@code root/name}. */
    public static String pathOf(String root, String name) {
        return (root.endsWith("/") ? root : root + "/") + name;
    }

    /**
     * Reuses the map pinned at {@code path} or creates it (with {@code objectMaps} for an inner
     * template) and pins it there.
     */
    public synchronized Pinned reuseOrCreate(String path, MapSpec spec, List<MapSpec> objectMaps) throws MapException {
        BpfMap pinned = byName.get(path);
        if (pinned != null) {
            checkReusable(path, pinned.spec(), spec);
            return new Pinned(pinned, true);
        }
        BpfMap created = BpfMap.create(spec, objectMaps);
        byName.put(path, created);
        return new Pinned(created, false);
    }

    /** libbpf's map_is_reuse_compat: a pinned map is reused only when it has the shape the object describes. */
    public static void checkReusable(String path, MapSpec pinned, MapSpec wanted) throws MapException {
        if (pinned.type() != wanted.type() || pinned.keySize() != wanted.keySize()
                || pinned.valueSize() != wanted.valueSize() || pinned.maxEntries() != wanted.maxEntries()
                || pinned.flags() != wanted.flags() || pinned.mapExtra() != wanted.mapExtra()) {
            throw new MapException(MapException.EINVAL, "couldn't reuse pinned map '" + path
                    + "': it is " + shape(pinned) + ", the object wants " + shape(wanted));
        }
    }

    private static String shape(MapSpec s) {
        return MapTypes.name(s.type()) + " key " + s.keySize() + " value " + s.valueSize() + " max_entries "
                + s.maxEntries() + " flags 0x" + Integer.toHexString(s.flags())
                + (s.mapExtra() != 0 ? " map_extra " + s.mapExtra() : "");
    }

    /** The map pinned at {@code path}, or null. */
    public synchronized BpfMap get(String path) {
        return byName.get(path);
    }

    /** Removes the pin (the map lives on while objects use it); false when nothing was pinned there. */
    public synchronized boolean unpin(String path) {
        return byName.remove(path) != null;
    }

    /** Pin paths in use now, sorted. */
    public synchronized List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
