package dev.tcxsim.vm.elf;

import java.util.Map;

/**
 * A map as libbpf would create it. Global-data sections (.data, .rodata, .bss, .rodata.str1.1,
 * .data.custom, ...) are maps too: type ARRAY (2), keySize 4, valueSize = section size,
 * maxEntries 1, initialData = section bytes (zeros for .bss), flags BPF_F_RDONLY_PROG (0x80) for
 * .rodata*, kind GLOBAL_DATA.
 *
 * <p>Map-in-map: {@code innerMapIndex} points at the inner map's template, a BTF_DEFINED spec
 * named "&lt;outer&gt;.inner" listed after every other map (libbpf keeps it beside the outer map).
 * Initial slots ({@code .values = { ... }}) name programs for a PROG_ARRAY
 * ({@code initialProgSlots}) and maps of the same object for a map-in-map
 * ({@code initialMapSlots}). {@code pinning} is 1 for LIBBPF_PIN_BY_NAME. {@code mapExtra} is
 * the definition's {@code map_extra} (a bloom filter's number of hash functions).
 */
public record MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags, int pinning,
                      Kind kind, byte[] initialData, int innerMapIndex,
                      Map<Integer, String> initialProgSlots, int btfKeyTypeId, int btfValueTypeId, long mapExtra,
                      Map<Integer, String> initialMapSlots) {
    public enum Kind { BTF_DEFINED, LEGACY, GLOBAL_DATA }

    /** A spec without map_extra and map-in-map initial slots (every map but bloom filters and maps of maps). */
    public MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags, int pinning,
                   Kind kind, byte[] initialData, int innerMapIndex,
                   Map<Integer, String> initialProgSlots, int btfKeyTypeId, int btfValueTypeId) {
        this(name, type, keySize, valueSize, maxEntries, flags, pinning, kind, initialData, innerMapIndex,
                initialProgSlots, btfKeyTypeId, btfValueTypeId, 0, Map.of());
    }

    public MapSpec withInnerMapIndex(int index) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, pinning, kind, initialData, index,
                initialProgSlots, btfKeyTypeId, btfValueTypeId, mapExtra, initialMapSlots);
    }

    public MapSpec withInitialProgSlots(Map<Integer, String> slots) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, pinning, kind, initialData,
                innerMapIndex, slots, btfKeyTypeId, btfValueTypeId, mapExtra, initialMapSlots);
    }

    public MapSpec withInitialMapSlots(Map<Integer, String> slots) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, pinning, kind, initialData,
                innerMapIndex, initialProgSlots, btfKeyTypeId, btfValueTypeId, mapExtra, slots);
    }

    /** A map made by hand with map_extra (MAP_CREATE of a bloom filter). */
    public static MapSpec of(String name, int type, int keySize, int valueSize, int maxEntries, int flags,
                             long mapExtra) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, 0, Kind.LEGACY, null, -1, Map.of(), 0, 0,
                mapExtra, Map.of());
    }

    /** A map made by hand (MAP_CREATE or a test), not from an object. */
    public static MapSpec of(String name, int type, int keySize, int valueSize, int maxEntries, int flags) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, 0, Kind.LEGACY, null, -1, Map.of(), 0, 0);
    }
}
