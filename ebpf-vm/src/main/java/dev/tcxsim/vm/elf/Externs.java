package dev.tcxsim.vm.elf;

import dev.tcxsim.vm.btf.Btf;
import dev.tcxsim.vm.btf.BtfFormatException;
import dev.tcxsim.vm.btf.BtfKind;
import dev.tcxsim.vm.btf.BtfType;
import dev.tcxsim.vm.btf.CoreException;
import dev.tcxsim.vm.btf.CoreResolver;
import dev.tcxsim.vm.btf.TargetBtf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The object's extern symbols, resolved as libbpf's bpf_object__resolve_externs does for a
 * simulated Linux 6.18 kernel. {@code __kconfig} variables get values in a read-only
 * {@code .kconfig} map (laid out like libbpf: by alignment, then size, then name) from
 * {@link LoadOptions#kconfig()}; LINUX_KERNEL_VERSION and the LINUX_HAS_* flags are the
 * simulated kernel's. {@code __ksym} variables have no kernel memory behind them here: weak ones
 * read as 0, others fail the load. {@code __ksym} functions are kfuncs, looked up by name in the
 * target BTF (see {@link KfuncCall}); a weak one the target lacks is poisoned, a missing strong
 * one fails the load, as in libbpf.
 */
final class Externs {
    /** KERNEL_VERSION(6, 18, 0), as linux/version.h encodes it: the kernel tcxsim simulates. */
    static final int LINUX_KERNEL_VERSION = 6 << 16 | 18 << 8;
    private static final int STB_WEAK = 2;
    private static final int BPF_F_RDONLY_PROG = 1 << 7;

    private enum KcfgType { BOOL, CHAR, TRISTATE, INT, CHAR_ARR }

    private record Kcfg(String name, boolean weak, KcfgType type, int size, int align, boolean signed, long symAt) {
    }

    /** A kfunc: the object's FUNC id, the target's (-1 when the target lacks it). */
    record Kfunc(String name, int localId, int targetId, boolean weak) {
    }

    private final List<Extern> externs = new ArrayList<>();
    private final Map<String, Integer> kconfigOffsets = new HashMap<>();
    private final Map<String, Long> constants = new HashMap<>();
    private final Map<String, Kfunc> kfuncs = new HashMap<>();
    private byte[] kconfigData;
    private int kconfigDatasec;
    private int kconfigMapIndex = -1;

    private Externs() {
    }

    /** Reads and resolves every undefined symbol of {@code elf}. */
    static Externs collect(ElfFile elf, Btf btf, LoadOptions options) throws ElfFormatException {
        Externs x = new Externs();
        List<Kcfg> kcfgs = new ArrayList<>();
        for (ElfFile.Symbol sym : elf.symbols()) {
            if (sym.shndx() != ElfFile.SHN_UNDEF || sym.name().isEmpty() || sym.index() == 0) {
                continue;
            }
            boolean weak = sym.bind() == STB_WEAK;
            String where = "extern '" + sym.name() + "'";
            if (btf == null) {
                throw new ElfFormatException(".symtab", sym.fileOffset(), where + ": the object has no .BTF to say "
                        + "what it is (libbpf resolves externs through BTF)");
            }
            int kcfg = varIn(btf, ".kconfig", sym.name());
            int ksym = varIn(btf, ".ksyms", sym.name());
            if (kcfg > 0) {
                kcfgs.add(x.kcfgOf(btf, kcfg, sym, weak));
            } else if (ksym > 0 && btf.type(ksym) instanceof BtfType.Func) {
                x.kfunc(options, btf, sym, ksym, weak);
            } else if (ksym > 0) {
                if (!weak) {
                    throw new ElfFormatException(".symtab", sym.fileOffset(), where + " (__ksym variable): the "
                            + "simulator has no kernel memory to point it at; declare it __weak to read 0");
                }
                x.constants.put(sym.name(), 0L);
                x.externs.add(new Extern(sym.name(), Extern.Kind.KSYM_VARIABLE, true, "weak, no kernel memory: 0"));
            } else {
                throw new ElfFormatException(".symtab", sym.fileOffset(), where + " is in neither .kconfig nor "
                        + ".ksyms of .BTF: only __kconfig and __ksym externs can be resolved");
            }
        }
        if (!kcfgs.isEmpty()) {
            x.layOut(kcfgs, btf, options);
        }
        return x;
    }

    /** The VAR or FUNC named {@code name} in DATASEC {@code section}, or 0. */
    private static int varIn(Btf btf, String section, String name) {
        int sec = btf.find(BtfKind.DATASEC, section).orElse(0);
        if (sec == 0) {
            return 0;
        }
        for (BtfType.VarSecInfo v : ((BtfType.DataSec) btf.type(sec)).vars()) {
            if (btf.hasType(v.type()) && btf.type(v.type()).name().equals(name)) {
                return v.type();
            }
        }
        return 0;
    }

    /**
     * libbpf's find_kcfg_type: what C type a __kconfig variable has, and so which values it takes.
     * Any 1-byte integer but _Bool is a char; arrays of chars take strings.
     */
    private Kcfg kcfgOf(Btf btf, int varId, ElfFile.Symbol sym, boolean weak) throws ElfFormatException {
        String where = "extern (kconfig) '" + sym.name() + "'";
        try {
            if (!(btf.type(varId) instanceof BtfType.Var v)) {
                throw new ElfFormatException(".symtab", sym.fileOffset(), where + ": functions cannot be __kconfig");
            }
            int id = btf.skipModifiers(v.type());
            BtfType t = btf.type(id);
            int size = (int) Math.min(Integer.MAX_VALUE, btf.sizeOf(id));
            return switch (t) {
                case BtfType.Int i when (i.encoding() & 4) != 0 && size == 1 ->
                        new Kcfg(sym.name(), weak, KcfgType.BOOL, 1, 1, false, sym.fileOffset());
                case BtfType.Int i when (i.encoding() & 4) == 0 && size == 1 ->
                        new Kcfg(sym.name(), weak, KcfgType.CHAR, 1, 1, (i.encoding() & 1) != 0, sym.fileOffset());
                case BtfType.Int i when (i.encoding() & 4) == 0 && (size == 2 || size == 4 || size == 8) ->
                        new Kcfg(sym.name(), weak, KcfgType.INT, size, size, (i.encoding() & 1) != 0, sym.fileOffset());
                case BtfType.Enum e when e.name().equals("libbpf_tristate") && size == 4 ->
                        new Kcfg(sym.name(), weak, KcfgType.TRISTATE, 4, 4, false, sym.fileOffset());
                case BtfType.Array a when a.elemCount() > 0 && btf.type(btf.skipModifiers(a.elemType())) instanceof BtfType.Int c
                        && c.size() == 1 && (c.encoding() & 4) == 0 ->
                        new Kcfg(sym.name(), weak, KcfgType.CHAR_ARR, size, 1, false, sym.fileOffset());
                default -> throw new ElfFormatException(".symtab", sym.fileOffset(), where + ": type " + t.kind()
                        + " '" + t.name() + "' is not one libbpf supports (bool, char, integer, enum "
                        + "libbpf_tristate, char array)");
            };
        } catch (BtfFormatException e) {
            throw new ElfFormatException(".symtab", sym.fileOffset(), where + ": " + e.detail());
        }
    }

    private void kfunc(LoadOptions options, Btf btf, ElfFile.Symbol sym, int localId, boolean weak)
            throws ElfFormatException {
        TargetBtf target = options.target();
        int targetId = -1;
        for (int id : target.named(TargetBtf.essentialName(sym.name()))) {
            if (target.btf().type(id) instanceof BtfType.Func f && f.name().equals(sym.name())) {
                targetId = id;
                break;
            }
        }
        if (targetId < 0 && !weak) {
            throw new ElfFormatException(".symtab", sym.fileOffset(), "extern (kfunc) '" + sym.name()
                    + "' is not a function of the target BTF (" + target.source() + ") and is not __weak");
        }
        if (targetId >= 0) {
            int localProto = ((BtfType.Func) btf.type(localId)).type();
            int targetProto = ((BtfType.Func) target.btf().type(targetId)).type();
            boolean ok;
            try {
                ok = CoreResolver.compatible(btf, localProto, target, targetProto);
            } catch (CoreException e) {
                ok = false;
            }
            if (!ok) {
                throw new ElfFormatException(".symtab", sym.fileOffset(), "extern (kfunc) '" + sym.name()
                        + "': its prototype in the object does not match the target's (" + target.source() + ", BTF id "
                        + targetId + ")");
            }
        }
        kfuncs.put(sym.name(), new Kfunc(sym.name(), localId, targetId, weak));
        externs.add(new Extern(sym.name(), Extern.Kind.KFUNC, weak, targetId < 0
                ? "weak, not in " + target.source() + ": calls are poisoned"
                : "kfunc, BTF id " + targetId + " in " + target.source()));
    }

    /** bpf_object__collect_externs' order and offsets, then the values (bpf_object__resolve_externs). */
    private void layOut(List<Kcfg> kcfgs, Btf btf, LoadOptions options) throws ElfFormatException {
        kcfgs.sort(Comparator.comparingInt((Kcfg k) -> -k.align()).thenComparingInt(Kcfg::size)
                .thenComparing(Kcfg::name));
        int off = 0;
        for (Kcfg k : kcfgs) {
            off = (off + k.align() - 1) / k.align() * k.align();
            kconfigOffsets.put(k.name(), off);
            off += k.size();
        }
        kconfigData = new byte[Math.max(off, 1)];
        kconfigDatasec = btf.find(BtfKind.DATASEC, ".kconfig").orElse(0);
        for (Kcfg k : kcfgs) {
            String value = valueFor(k, options);
            int at = kconfigOffsets.get(k.name());
            String shown;
            if (value == null) {
                shown = "weak, not set: 0";
            } else {
                write(k, value, at);
                shown = "= " + value;
            }
            externs.add(new Extern(k.name(), Extern.Kind.KCONFIG, k.weak(), shown + " at .kconfig+" + at));
        }
    }

    private static String valueFor(Kcfg k, LoadOptions options) throws ElfFormatException {
        if (k.name().startsWith("LINUX_")) {
            return switch (k.name()) {
                case "LINUX_KERNEL_VERSION" -> Integer.toString(LINUX_KERNEL_VERSION);
                case "LINUX_HAS_BPF_COOKIE", "LINUX_HAS_SYSCALL_WRAPPER" -> "1";
                default -> throw new ElfFormatException(".symtab", k.symAt(), "extern (kconfig) '" + k.name()
                        + "': unknown LINUX_ extern (libbpf knows LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE, "
                        + "LINUX_HAS_SYSCALL_WRAPPER)");
            };
        }
        String v = options.kconfig().get(k.name());
        if (v == null && !k.weak()) {
            throw new ElfFormatException(".symtab", k.symAt(), "extern (kconfig) '" + k.name() + "' is not set in "
                    + "the kconfig given to the loader (LoadOptions.kconfig) and is not __weak");
        }
        return v;
    }

    /** libbpf's set_kcfg_value_tri/_str/_num: a value of a .config line, checked against the C type. */
    private void write(Kcfg k, String value, int at) throws ElfFormatException {
        String where = "extern (kconfig) '" + k.name() + "' = " + value;
        if (value.length() == 1 && "ymn".indexOf(value.charAt(0)) >= 0) {
            char c = value.charAt(0);
            long v = switch (k.type()) {
                case BOOL -> {
                    if (c == 'm') {
                        throw new ElfFormatException(".symtab", k.symAt(), where + ": a bool cannot be 'm'");
                    }
                    yield c == 'y' ? 1 : 0;
                }
                case TRISTATE -> c == 'y' ? 1 : c == 'm' ? 2 : 0;
                case CHAR -> c;
                default -> throw new ElfFormatException(".symtab", k.symAt(), where + ": y/m/n for a "
                        + k.type().name().toLowerCase() + " extern");
            };
            kconfigData[at] = (byte) v;
            if (k.type() == KcfgType.TRISTATE) {
                kconfigData[at + 1] = kconfigData[at + 2] = kconfigData[at + 3] = 0;
            }
            return;
        }
        if (value.startsWith("\"")) {
            if (k.type() != KcfgType.CHAR_ARR || value.length() < 2 || !value.endsWith("\"")) {
                throw new ElfFormatException(".symtab", k.symAt(), where + ": a quoted string needs a char array "
                        + "extern and a closing quote");
            }
            byte[] s = value.substring(1, value.length() - 1).getBytes(StandardCharsets.UTF_8);
            int n = Math.min(s.length, k.size() - 1); // libbpf truncates and keeps the NUL
            System.arraycopy(s, 0, kconfigData, at, n);
            return;
        }
        long v;
        try {
            v = Long.decode(value);
        } catch (NumberFormatException e) {
            throw new ElfFormatException(".symtab", k.symAt(), where + ": not y/m/n, a quoted string or a number");
        }
        if (k.type() != KcfgType.INT && k.type() != KcfgType.CHAR && !(k.type() == KcfgType.BOOL && (v == 0 || v == 1))) {
            throw new ElfFormatException(".symtab", k.symAt(), where + ": a number for a "
                    + k.type().name().toLowerCase() + " extern");
        }
        int bits = k.size() * 8;
        boolean fits = bits == 64 || (k.signed() ? v >= -(1L << (bits - 1)) && v < 1L << (bits - 1)
                : v >= 0 && v < 1L << bits);
        if (!fits) {
            throw new ElfFormatException(".symtab", k.symAt(), where + ": does not fit a " + (k.signed() ? "signed" : "unsigned")
                    + " " + k.size() + "-byte extern");
        }
        for (int i = 0; i < k.size(); i++) {
            kconfigData[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /** The .kconfig map to add to the object, or null when it has no __kconfig extern. */
    MapSpec kconfigMap() {
        if (kconfigData == null) {
            return null;
        }
        return new MapSpec(".kconfig", MapType.ARRAY.id(), 4, kconfigData.length, 1, BPF_F_RDONLY_PROG, 0,
                MapSpec.Kind.GLOBAL_DATA, kconfigData.clone(), -1, Map.of(), 0, kconfigDatasec);
    }

    void setKconfigMapIndex(int index) {
        kconfigMapIndex = index;
    }

    /** Offset of a __kconfig extern in the .kconfig map, or -1 when {@code name} is not one. */
    int kconfigOffset(String name) {
        return kconfigOffsets.getOrDefault(name, -1);
    }

    int kconfigMapIndex() {
        return kconfigMapIndex;
    }

    /** The constant a __ksym variable reads as, or null when {@code name} is not one. */
    Long constant(String name) {
        return constants.get(name);
    }

    Kfunc kfunc(String name) {
        return kfuncs.get(name);
    }

    List<Extern> list() {
        return List.copyOf(externs);
    }
}
