package dev.tcxsim.cli;

import dev.tcxsim.vm.btf.Btf;
import dev.tcxsim.vm.btf.BtfExt;
import dev.tcxsim.vm.btf.BtfFormatException;
import dev.tcxsim.vm.btf.BtfKind;
import dev.tcxsim.vm.btf.BtfType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What an object uses, read from its ELF, BTF and BTF.ext alone (no loading): the programs, the
 * helpers and kfuncs their instructions call, the maps it defines and the ELF features libbpf
 * would have to handle. {@link ProgCheck} adds whether the simulator and the kernel accept it.
 */
record ProgCheckScan(String license, List<Program> programs, Map<Integer, Set<String>> helpers,
                     Map<String, Set<String>> kfuncs, List<MapDef> maps, Features features) {

    /** An entry point: function name, ELF section, the type its section name implies, own instructions. */
    record Program(String name, String section, String type, int insns) {
    }

    /** A map the object defines; {@code legacy} for the old {@code maps} section (struct bpf_map_def). */
    record MapDef(String name, int type, int keySize, int valueSize, int maxEntries, int flags, boolean legacy) {
    }

    /**
     * @param btfTypes        types in .BTF, or -1 without BTF
     * @param btfError        why .BTF or .BTF.ext could not be read, or null
     * @param lineInfo        line-info records of .BTF.ext (-1 without .BTF.ext)
     * @param coreRelocations CO-RE relocation records of .BTF.ext
     * @param externs         extern variables by the section libbpf resolves them in (.kconfig, .ksyms, extern)
     * @param globalData      global-data sections and their sizes
     * @param subprograms     functions of .text (called from programs)
     */
    record Features(int btfTypes, String btfError, int lineInfo, int coreRelocations, Map<String, Set<String>> externs,
                    Map<String, Long> globalData, List<String> subprograms, int legacyMaps) {
    }

    private static final int CALL = 0x85, LD_IMM64 = 0x18;

    static ProgCheckScan scan(String file, byte[] bytes) throws CliError {
        ProgCheckElf elf = ProgCheckElf.read(file, bytes);
        Btf btf = null;
        BtfExt ext = null;
        String btfError = null;
        ProgCheckElf.Section btfSec = elf.section(".BTF");
        if (btfSec != null) {
            try {
                btf = Btf.parse(elf.data(btfSec));
                ProgCheckElf.Section extSec = elf.section(".BTF.ext");
                if (extSec != null) {
                    ext = BtfExt.parse(elf.data(extSec), btf);
                }
            } catch (BtfFormatException e) {
                btfError = e.getMessage();
            }
        }
        ProgCheckElf.Section lic = elf.section("license");
        String license = lic == null ? "" : cString(elf.data(lic));

        List<Program> programs = new ArrayList<>();
        List<String> subprograms = new ArrayList<>();
        Map<Integer, Set<String>> helpers = new TreeMap<>();
        Map<String, Set<String>> kfuncs = new TreeMap<>();
        Map<String, Set<String>> externs = new TreeMap<>();
        int lineInfo = ext == null ? -1 : 0;
        for (ProgCheckElf.Section s : elf.sections) {
            if (!s.executable()) {
                continue;
            }
            List<ProgCheckElf.Symbol> funcs = elf.symbols.stream()
                    .filter(y -> y.shndx() == s.index() && y.type() == ProgCheckElf.STT_FUNC && y.size() > 0).toList();
            for (ProgCheckElf.Symbol f : funcs) {
                if (s.name().equals(".text")) {
                    subprograms.add(f.name());
                } else {
                    programs.add(new Program(f.name(), s.name(), typeOf(s.name()), (int) (f.size() / 8)));
                }
            }
            if (ext != null) {
                lineInfo += ext.lineInfo(s.name()).size();
            }
            Map<Long, ProgCheckElf.Symbol> relocated = new LinkedHashMap<>();
            elf.relocations.getOrDefault(s.index(), List.of()).forEach(r -> relocated.put(r.offset(), r.symbol()));
            for (long off = 0; off + 8 <= s.size(); off += 8) {
                long insn = elf.insn(s, off);
                int opcode = (int) (insn & 0xff);
                ProgCheckElf.Symbol target = relocated.get(off);
                boolean extern = target != null && target.shndx() == ProgCheckElf.SHN_UNDEF && !target.name().isEmpty();
                String owner = owner(funcs, off, s.name());
                if (opcode == CALL && target == null && ((insn >>> 12) & 0xf) == 0) {
                    helpers.computeIfAbsent((int) (insn >> 32), k -> new TreeSet<>()).add(owner);
                } else if (opcode == CALL && extern) {
                    kfuncs.computeIfAbsent(target.name(), k -> new TreeSet<>()).add(owner);
                } else if (opcode == LD_IMM64 && extern) {
                    externs.computeIfAbsent(externSection(btf, target.name()), k -> new TreeSet<>()).add(target.name());
                }
                if (opcode == LD_IMM64) {
                    off += 8;
                }
            }
        }
        Map<String, Long> globalData = new TreeMap<>();
        for (ProgCheckElf.Section s : elf.sections) {
            String n = s.name();
            if ((n.startsWith(".data") || n.startsWith(".rodata") || n.startsWith(".bss")) && s.size() > 0
                    && (s.type() == ProgCheckElf.SHT_PROGBITS || s.type() == ProgCheckElf.SHT_NOBITS)) {
                globalData.put(n, s.size());
            }
        }
        List<MapDef> maps = new ArrayList<>(btfMaps(elf, btf));
        List<MapDef> legacy = legacyMaps(elf);
        maps.addAll(legacy);
        int core = 0;
        if (ext != null) {
            core = ext.allCoreRelos().values().stream().mapToInt(List::size).sum();
        }
        Features features = new Features(btf == null ? -1 : btf.typeCount() - 1, btfError, lineInfo, core, externs,
                globalData, subprograms, legacy.size());
        return new ProgCheckScan(license, programs, helpers, kfuncs, maps, features);
    }

    /** The program type libbpf gives a section name (tc's own loader makes every section SCHED_CLS). */
    static String typeOf(String section) {
        String base = section.contains("/") ? section.substring(0, section.indexOf('/')) : section;
        return switch (base) {
            case "tc", "classifier", "tcx", "netkit" -> "sched_cls";
            case "action" -> "sched_act";
            case "xdp", "xdp.frags" -> "xdp";
            case "socket" -> "socket_filter";
            case "cgroup_skb" -> "cgroup_skb";
            case "lwt_in", "lwt_out", "lwt_xmit", "lwt_seg6local" -> base;
            default -> "sched_cls (by tc's loader; libbpf knows no section '" + base + "')";
        };
    }

    private static String owner(List<ProgCheckElf.Symbol> funcs, long off, String section) {
        for (ProgCheckElf.Symbol f : funcs) {
            if (off >= f.value() && off < f.value() + f.size()) {
                return f.name();
            }
        }
        return section;
    }

    /** .kconfig or .ksyms when BTF places the extern there (libbpf resolves them differently), else "extern". */
    private static String externSection(Btf btf, String name) {
        if (btf != null) {
            for (int id = 1; id < btf.typeCount(); id++) {
                if (btf.type(id) instanceof BtfType.DataSec ds) {
                    for (BtfType.VarSecInfo v : ds.vars()) {
                        if (btf.hasType(v.type()) && btf.type(v.type()).name().equals(name)) {
                            return ds.name();
                        }
                    }
                }
            }
        }
        return "extern";
    }

    /** Maps of the BTF-defined {@code .maps} section: each variable's struct carries __uint/__type members. */
    private static List<MapDef> btfMaps(ProgCheckElf elf, Btf btf) {
        List<MapDef> maps = new ArrayList<>();
        if (btf == null || elf.section(".maps") == null) {
            return maps;
        }
        for (int id = 1; id < btf.typeCount(); id++) {
            if (!(btf.type(id) instanceof BtfType.DataSec ds) || !ds.name().equals(".maps")) {
                continue;
            }
            for (BtfType.VarSecInfo v : ds.vars()) {
                if (!btf.hasType(v.type()) || !(btf.type(v.type()) instanceof BtfType.Var var)) {
                    continue;
                }
                Map<String, Integer> fields = new LinkedHashMap<>();
                try {
                    if (btf.type(btf.skipModifiers(var.type())) instanceof BtfType.Composite c) {
                        for (BtfType.Member m : c.members()) {
                            fields.put(m.name(), mapField(btf, m));
                        }
                    }
                } catch (BtfFormatException e) {
                    continue;
                }
                maps.add(new MapDef(var.name(), fields.getOrDefault("type", 0), fields.getOrDefault("key_size",
                        fields.getOrDefault("key", 0)), fields.getOrDefault("value_size", fields.getOrDefault("value", 0)),
                        fields.getOrDefault("max_entries", 0), fields.getOrDefault("map_flags", 0), false));
            }
        }
        return maps;
    }

    /** __uint(x, N) is a pointer to an array of N elements; __type(x, T) a pointer to T (its size is meant). */
    private static int mapField(Btf btf, BtfType.Member m) throws BtfFormatException {
        int t = btf.skipModifiers(m.type());
        if (!(btf.type(t) instanceof BtfType.Ref ref) || ref.kind() != BtfKind.PTR) {
            return 0;
        }
        int target = btf.skipModifiers(ref.type());
        if (m.name().equals("key") || m.name().equals("value")) {
            return (int) btf.sizeOf(target);
        }
        return btf.type(target) instanceof BtfType.Array a ? a.elemCount() : 0;
    }

    /** The old {@code maps} section: one struct bpf_map_def (type, key_size, value_size, max_entries, flags) per symbol. */
    private static List<MapDef> legacyMaps(ProgCheckElf elf) {
        List<MapDef> maps = new ArrayList<>();
        ProgCheckElf.Section s = elf.section("maps");
        if (s == null || s.type() != ProgCheckElf.SHT_PROGBITS) {
            return maps;
        }
        ByteBuffer b = ByteBuffer.wrap(elf.data(s)).order(ByteOrder.LITTLE_ENDIAN);
        for (ProgCheckElf.Symbol y : elf.symbols) {
            if (y.shndx() == s.index() && !y.name().isEmpty() && y.value() >= 0 && y.value() + 20 <= b.capacity()) {
                int at = (int) y.value();
                maps.add(new MapDef(y.name(), b.getInt(at), b.getInt(at + 4), b.getInt(at + 8), b.getInt(at + 12),
                        b.getInt(at + 16), true));
            }
        }
        return maps;
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }
}
