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
 * Initial slots of a map-in-map ({@code .values = { &inner_a }}) are checked by the loader but not
 * carried: {@code initialProgSlots} is for PROG_ARRAY only. {@code pinning} is 1 for
 * LIBBPF_PIN_BY_NAME.
 */
public record MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags, int pinning,
                      Kind kind, byte[] initialData, int innerMapIndex,
                      Map<Integer, String> initialProgSlots, int btfKeyTypeId, int btfValueTypeId) {
    public enum Kind { BTF_DEFINED, LEGACY, GLOBAL_DATA }

    /** A map made by hand (MAP_CREATE or a test), not from an object. */
    public static MapSpec of(String name, int type, int keySize, int valueSize, int maxEntries, int flags) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, 0, Kind.LEGACY, null, -1, Map.of(), 0, 0);
    }
}
