package dev.tcxsim.vm.elf;

import dev.tcxsim.vm.btf.Btf;
import dev.tcxsim.vm.btf.BtfFormatException;
import dev.tcxsim.vm.btf.BtfKind;
import dev.tcxsim.vm.btf.BtfType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Every map of an object, in the order {@link BpfObject#maps()} lists them: legacy maps
 * ({@code maps}), BTF-defined maps ({@code .maps}), global data sections in section order, and
 * last the inner-map templates of map-in-map definitions. Also answers which map a relocation's
 * symbol refers to.
 */
final class ObjectMaps {
    /** The kernel's largest array value (KMALLOC_MAX_SIZE on x86-64): no bigger global data section loads. */
    static final long MAX_GLOBAL_DATA = 4L << 20;
    /** BPF_F_RDONLY_PROG: libbpf creates .rodata maps read-only for programs. */
    static final int BPF_F_RDONLY_PROG = 1 << 7;
    private static final int LEGACY_MIN_DEF = 16;

    /** A map defined at {@code offset} of section {@code section} and spanning {@code size} bytes. */
    private record Placed(int section, long offset, long size, int index) {
    }

    private final ElfFile elf;
    private final Btf btf;
    /** File offset of .BTF, for error messages about its types. */
    private final long btfOffset;
    private final List<MapSpec> specs = new ArrayList<>();
    private final Map<Integer, TreeMap<Long, Placed>> bySection = new HashMap<>();
    private final Map<Integer, Integer> dataSections = new LinkedHashMap<>();
    private final List<MapSpec> innerMaps = new ArrayList<>();
    private final Map<Integer, Integer> innerOf = new HashMap<>();
    /** For map-in-map and prog arrays: the byte offset of the {@code values} member in the map's struct. */
    private final Map<Integer, Long> valuesOffset = new HashMap<>();

    private ObjectMaps(ElfFile elf, Btf btf, long btfOffset) {
        this.elf = elf;
        this.btf = btf;
        this.btfOffset = btfOffset;
    }

    static ObjectMaps collect(ElfFile elf, Btf btf, long btfOffset) throws ElfFormatException {
        ObjectMaps maps = new ObjectMaps(elf, btf, btfOffset);
        for (ElfFile.Section s : elf.sections()) {
            if (s.name().equals("maps") && s.type() == ElfFile.SHT_PROGBITS) {
                maps.collectLegacy(s);
            }
        }
        for (ElfFile.Section s : elf.sections()) {
            if (s.name().equals(".maps") && s.type() == ElfFile.SHT_PROGBITS) {
                maps.collectBtf(s);
            }
        }
        for (ElfFile.Section s : elf.sections()) {
            if (isGlobalData(s)) {
                maps.collectGlobalData(s);
            }
        }
        return maps;
    }

    /** A section libbpf turns into a global data map: .data*, .rodata* (non-empty PROGBITS) and .bss*. */
    static boolean isGlobalData(ElfFile.Section s) {
        if ((s.flags() & ElfFile.SHF_EXECINSTR) != 0 || s.size() == 0) {
            return false;
        }
        String n = s.name();
        if (s.type() == ElfFile.SHT_PROGBITS) {
            return n.equals(".data") || n.startsWith(".data.") || n.equals(".rodata") || n.startsWith(".rodata.");
        }
        return s.type() == ElfFile.SHT_NOBITS && (n.equals(".bss") || n.startsWith(".bss."));
    }

    private void collectLegacy(ElfFile.Section s) throws ElfFormatException {
        TreeMap<Long, ElfFile.Symbol> defs = new TreeMap<>();
        for (ElfFile.Symbol sym : elf.symbols()) {
            if (sym.shndx() == s.index() && sym.type() != ElfFile.STT_SECTION) {
                if (defs.put(sym.value(), sym) != null) {
                    throw new ElfFormatException(s.name(), sym.fileOffset(), "two map symbols at offset "
                            + sym.value());
                }
            }
        }
        if (defs.isEmpty()) {
            throw new ElfFormatException(s.name(), s.offset(), "legacy maps section has no map symbols");
        }
        long defSize = s.size() / defs.size();
        if (defSize < LEGACY_MIN_DEF || defSize * defs.size() != s.size()) {
            throw new ElfFormatException(s.name(), s.offset(), "section of " + s.size() + " bytes does not hold "
                    + defs.size() + " struct bpf_map_def of equal size (at least " + LEGACY_MIN_DEF + " bytes)");
        }
        byte[] data = elf.data(s, s.size());
        for (ElfFile.Symbol sym : defs.values()) {
            long at = sym.value();
            if (at < 0 || at % 4 != 0 || at > s.size() - defSize) {
                throw new ElfFormatException(s.name(), sym.fileOffset(), "map '" + sym.name() + "' at offset "
                        + at + " is not a whole, aligned " + defSize + "-byte definition inside the section");
            }
            int p = (int) at;
            int type = u32(data, p);
            long fileAt = s.offset() + at;
            checkMapType(type, sym.name(), s.name(), fileAt);
            int flags = defSize >= 20 ? u32(data, p + 16) : 0;
            int index = specs.size();
            specs.add(new MapSpec(sym.name(), type, u32(data, p + 4), u32(data, p + 8), u32(data, p + 12), flags, 0,
                    MapSpec.Kind.LEGACY, null, -1, Map.of(), 0, 0));
            place(s.index(), at, defSize, index);
        }
    }

    private void collectBtf(ElfFile.Section s) throws ElfFormatException {
        if (btf == null) {
            throw new ElfFormatException(s.name(), s.offset(),
                    "BTF-defined maps need a .BTF section, and there is none");
        }
        int datasecId = btf.find(BtfKind.DATASEC, ".maps").orElseThrow(() -> new ElfFormatException(".BTF",
                btfOffset, "no DATASEC '.maps' describes the maps in section '.maps'"));
        BtfType.DataSec datasec = (BtfType.DataSec) btf.type(datasecId);
        for (BtfType.VarSecInfo vsi : datasec.vars()) {
            if (!(btf.type(vsi.type()) instanceof BtfType.Var var)) {
                throw new ElfFormatException(".BTF", btfOffset + btf.offsetOf(datasecId),
                        "DATASEC '.maps' lists type id " + vsi.type() + ", which is not a VAR");
            }
            // clang leaves DATASEC offsets 0 for global variables (libbpf fixes them up from the
            // symbol table), so the map's symbol says where its definition is.
            ElfFile.Symbol sym = symbolIn(s, var.name());
            long off = sym.value();
            long size = vsi.size() & 0xffffffffL;
            if (off < 0 || off > s.size() || size > s.size() - off) {
                throw new ElfFormatException(s.name(), s.offset() + Math.min(off, s.size()), "map '" + var.name()
                        + "' [" + off + ", +" + size + ") lies outside the section (" + s.size() + " bytes)");
            }
            int index = specs.size();
            specs.add(null);
            specs.set(index, btfMap(var.name(), var.type(), index, s, s.offset() + off, false));
            place(s.index(), off, size, index);
        }
    }

    private ElfFile.Symbol symbolIn(ElfFile.Section s, String name) throws ElfFormatException {
        for (ElfFile.Symbol sym : elf.symbols()) {
            if (sym.shndx() == s.index() && sym.type() != ElfFile.STT_SECTION && sym.name().equals(name)) {
                return sym;
            }
        }
        throw new ElfFormatException(s.name(), s.offset(), "map '" + name + "' of BTF DATASEC '.maps' has no symbol "
                + "in the section");
    }

    /** Parses one map definition struct, as libbpf's parse_btf_map_def does. */
    private MapSpec btfMap(String name, int typeId, int index, ElfFile.Section s, long fileAt, boolean inner)
            throws ElfFormatException {
        try {
            int structId = btf.skipModifiers(typeId);
            if (!(btf.type(structId) instanceof BtfType.Composite def) || def.kind() != BtfKind.STRUCT) {
                throw new ElfFormatException(s.name(), fileAt, "map '" + name + "': definition is a "
                        + btf.type(structId).kind() + ", not a struct");
            }
            long type = 0, keySize = 0, valueSize = 0, maxEntries = 0, flags = 0, pinning = 0, mapExtra = 0;
            int keyId = 0, valueId = 0, innerIndex = -1;
            for (BtfType.Member m : def.members()) {
                switch (m.name()) {
                    case "type" -> type = intField(name, m, s, fileAt);
                    case "max_entries" -> maxEntries = intField(name, m, s, fileAt);
                    case "map_flags" -> flags = intField(name, m, s, fileAt);
                    case "numa_node" -> intField(name, m, s, fileAt);
                    case "map_extra" -> mapExtra = intField(name, m, s, fileAt);
                    case "pinning" -> pinning = intField(name, m, s, fileAt);
                    case "key_size" -> keySize = sizeField(name, m, keySize, intField(name, m, s, fileAt), s, fileAt);
                    case "value_size" -> valueSize = sizeField(name, m, valueSize, intField(name, m, s, fileAt), s,
                            fileAt);
                    case "key" -> {
                        keyId = pointee(name, m, s, fileAt);
                        keySize = sizeField(name, m, keySize, btf.sizeOf(keyId), s, fileAt);
                    }
                    case "value" -> {
                        valueId = pointee(name, m, s, fileAt);
                        valueSize = sizeField(name, m, valueSize, btf.sizeOf(valueId), s, fileAt);
                    }
                    case "values" -> {
                        if (inner) {
                            throw new ElfFormatException(s.name(), fileAt, "map '" + name
                                    + "': an inner map cannot have values of its own");
                        }
                        valuesOffset.put(index, (long) m.bitOffset() / 8);
                        int target = valuesTarget(name, m, s, fileAt);
                        if (btf.type(target) instanceof BtfType.Composite) {
                            innerIndex = addInner(name + ".inner", target, s, fileAt);
                        }
                        valueSize = sizeField(name, m, valueSize, 4, s, fileAt);
                    }
                    default -> throw new ElfFormatException(s.name(), fileAt, "map '" + name + "': unknown field '"
                            + m.name() + "'");
                }
            }
            checkMapType(type, name, s.name(), fileAt);
            if (pinning > 1) {
                throw new ElfFormatException(s.name(), fileAt, "map '" + name + "': pinning " + pinning
                        + " (only 0 = none and 1 = by name exist)");
            }
            MapType mt = MapType.ofId(type);
            if (valuesOffset.containsKey(index) && mt != MapType.PROG_ARRAY && !mt.isMapInMap()) {
                throw new ElfFormatException(s.name(), fileAt, "map '" + name + "': values given for a " + mt
                        + " map (only prog arrays and map-in-map take them)");
            }
            return new MapSpec(name, (int) type, (int) keySize, (int) valueSize, (int) maxEntries, (int) flags,
                    (int) pinning, MapSpec.Kind.BTF_DEFINED, null, innerIndex, Map.of(), keyId, valueId, mapExtra,
                    Map.of());
        } catch (BtfFormatException e) {
            throw new ElfFormatException(".BTF", btfOffset + e.offset(), "map '" + name + "': " + e.detail());
        }
    }

    /** {@code __uint(name, n)} is {@code int (*name)[n]}: a pointer to an array of n elements. */
    private long intField(String map, BtfType.Member m, ElfFile.Section s, long at)
            throws ElfFormatException, BtfFormatException {
        int ptr = btf.skipModifiers(m.type());
        if (btf.type(ptr) instanceof BtfType.Ref r && r.kind() == BtfKind.PTR
                && btf.type(btf.skipModifiers(r.type())) instanceof BtfType.Array a) {
            return a.elemCount() & 0xffffffffL;
        }
        throw new ElfFormatException(s.name(), at, "map '" + map + "': field '" + m.name()
                + "' is not an __uint() (pointer to array)");
    }

    /** {@code __type(name, T)} is {@code T *name}: the pointee's type id. */
    private int pointee(String map, BtfType.Member m, ElfFile.Section s, long at)
            throws ElfFormatException, BtfFormatException {
        if (btf.type(btf.skipModifiers(m.type())) instanceof BtfType.Ref r && r.kind() == BtfKind.PTR) {
            return r.type();
        }
        throw new ElfFormatException(s.name(), at, "map '" + map + "': field '" + m.name()
                + "' is not a __type() (pointer)");
    }

    /** A size given twice (key and key_size) must agree, and fit in 32 bits. */
    private static long sizeField(String map, BtfType.Member m, long previous, long size, ElfFile.Section s, long at)
            throws ElfFormatException {
        if (size > 0xffffffffL || previous != 0 && previous != size) {
            throw new ElfFormatException(s.name(), at, "map '" + map + "': field '" + m.name() + "' gives size "
                    + size + (previous != 0 ? ", conflicting with " + previous : ""));
        }
        return size;
    }

    /** {@code __array(values, T)} is {@code typeof(T) *values[]}: returns the resolved T's type id. */
    private int valuesTarget(String map, BtfType.Member m, ElfFile.Section s, long at)
            throws ElfFormatException, BtfFormatException {
        if (btf.type(btf.skipModifiers(m.type())) instanceof BtfType.Array a
                && btf.type(btf.skipModifiers(a.elemType())) instanceof BtfType.Ref r && r.kind() == BtfKind.PTR) {
            int target = btf.skipModifiers(r.type());
            BtfType t = btf.type(target);
            if (t instanceof BtfType.FuncProto || t instanceof BtfType.Composite c && c.kind() == BtfKind.STRUCT) {
                return target;
            }
        }
        throw new ElfFormatException(s.name(), at, "map '" + map + "': field 'values' is not an __array() of "
                + "function or map pointers");
    }

    private int addInner(String name, int structId, ElfFile.Section s, long at) throws ElfFormatException {
        int index = -2 - innerMaps.size();
        innerMaps.add(btfMap(name, structId, index, s, at, true));
        return index;
    }

    private void collectGlobalData(ElfFile.Section s) throws ElfFormatException {
        if (s.size() > MAX_GLOBAL_DATA) {
            throw new ElfFormatException(s.name(), s.offset(), "global data section of " + s.size()
                    + " bytes exceeds the kernel's largest map value (" + MAX_GLOBAL_DATA + " bytes)");
        }
        int flags = s.name().startsWith(".rodata") ? BPF_F_RDONLY_PROG : 0;
        dataSections.put(s.index(), specs.size());
        specs.add(new MapSpec(s.name(), MapType.ARRAY.id(), 4, (int) s.size(), 1, flags, 0, MapSpec.Kind.GLOBAL_DATA,
                elf.data(s, MAX_GLOBAL_DATA), -1, Map.of(), 0, btf == null ? 0
                : btf.find(BtfKind.DATASEC, s.name()).orElse(0)));
    }

    private void place(int section, long offset, long size, int index) {
        bySection.computeIfAbsent(section, k -> new TreeMap<>()).put(offset, new Placed(section, offset, size, index));
    }

    static void checkMapType(long type, String map, String section, long at) throws ElfFormatException {
        if (MapType.ofId(type) == null) {
            throw new ElfFormatException(section, at, "map '" + map + "': unknown map type " + type
                    + " (the kernel knows 0.." + (MapType.values().length - 1) + ")");
        }
    }

    private static int u32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    /** True when {@code section} holds map definitions ({@code maps} or {@code .maps}). */
    boolean isMapSection(int section) {
        return bySection.containsKey(section);
    }

    /** The map defined exactly at {@code offset} of a map section, or -1. */
    int mapAt(int section, long offset) {
        TreeMap<Long, Placed> placed = bySection.get(section);
        Placed p = placed == null ? null : placed.get(offset);
        return p == null ? -1 : p.index();
    }

    /** The map whose definition contains byte {@code offset} of a map section, or null. */
    private Placed mapContaining(int section, long offset) {
        TreeMap<Long, Placed> placed = bySection.get(section);
        Map.Entry<Long, Placed> e = placed == null ? null : placed.floorEntry(offset);
        return e != null && offset < e.getValue().offset() + e.getValue().size() ? e.getValue() : null;
    }

    /** The global data map of a section, or -1. */
    int dataMap(int section) {
        return dataSections.getOrDefault(section, -1);
    }

    /**
     * Applies the {@code .rel.maps} relocations: each puts a program (prog arrays) or a map
     * (map-in-map) into a slot of a {@code values} array. Both are checked and kept, as
     * initialProgSlots and initialMapSlots. {@code isProgram} tells entry programs.
     */
    void applyInitialValues(ElfFile.Section relSection, List<ElfFile.Rel> rels,
                            Predicate<String> isProgram) throws ElfFormatException {
        Map<Integer, Map<Integer, String>> slots = new HashMap<>();
        int mapsSection = elf.target(relSection).index();
        for (ElfFile.Rel rel : rels) {
            Placed p = mapContaining(mapsSection, rel.offset());
            Long valuesAt = p == null ? null : valuesOffset.get(p.index());
            long inValues = valuesAt == null ? -1 : rel.offset() - p.offset() - valuesAt;
            if (inValues < 0 || inValues % 8 != 0) {
                throw new ElfFormatException(relSection.name(), rel.fileOffset(), "relocation at .maps offset "
                        + rel.offset() + " is not inside the values array of a map");
            }
            int slot = (int) (inValues / 8);
            MapSpec map = specs.get(p.index());
            ElfFile.Symbol sym = elf.symbols().get(rel.symbol());
            String target;
            if (map.type() == MapType.PROG_ARRAY.id()) {
                if (sym.type() != ElfFile.STT_FUNC || !isProgram.test(sym.name())) {
                    throw new ElfFormatException(relSection.name(), rel.fileOffset(), "map '" + map.name() + "' slot "
                            + slot + ": '" + sym.name() + "' is not a program of this object");
                }
                target = sym.name();
            } else {
                int targetMap = mapAt(sym.shndx(), sym.value());
                if (targetMap < 0 || sym.shndx() != mapsSection) {
                    throw new ElfFormatException(relSection.name(), rel.fileOffset(), "map '" + map.name() + "' slot "
                            + slot + ": '" + sym.name() + "' is not a map in .maps");
                }
                target = specs.get(targetMap).name();
            }
            if (slot >= map.maxEntries() && map.type() != MapType.HASH_OF_MAPS.id()) {
                throw new ElfFormatException(relSection.name(), rel.fileOffset(), "map '" + map.name() + "' slot "
                        + slot + " is beyond max_entries " + map.maxEntries());
            }
            slots.computeIfAbsent(p.index(), k -> new TreeMap<>()).put(slot, target);
        }
        slots.forEach((index, values) -> {
            MapSpec m = specs.get(index);
            specs.set(index, m.type() == MapType.PROG_ARRAY.id() ? m.withInitialProgSlots(values)
                    : m.withInitialMapSlots(values));
        });
    }

    /** The final list: inner-map templates go last and outer maps point at them. */
    List<MapSpec> specs() {
        List<MapSpec> out = new ArrayList<>(specs);
        int base = out.size();
        out.addAll(innerMaps);
        for (int i = 0; i < base; i++) {
            MapSpec m = out.get(i);
            if (m.innerMapIndex() <= -2) {
                out.set(i, m.withInnerMapIndex(base + (-2 - m.innerMapIndex())));
            }
        }
        return out;
    }

    /** Map specs by index before inner maps were appended (indexes are the same). */
    MapSpec spec(int index) {
        return specs.get(index);
    }
}
