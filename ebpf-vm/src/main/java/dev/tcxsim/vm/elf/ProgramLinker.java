package dev.tcxsim.vm.elf;

import dev.tcxsim.vm.btf.Btf;
import dev.tcxsim.vm.btf.BtfExt;
import dev.tcxsim.vm.btf.BtfType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits executable sections into functions at their symbols and links each entry program the
 * way libbpf's bpf_object__relocate does: the program's own instructions first, then every
 * {@code .text} sub-program it reaches through calls or function pointers, appended once each in
 * depth-first order of first use; call immediates become offsets in the flat array and map loads
 * become pseudo map instructions with a {@link Relocation}.
 */
final class ProgramLinker {
    private static final int R_BPF_NONE = 0;
    private static final int R_BPF_64_64 = 1;
    private static final int R_BPF_64_32 = 10;

    /** A function symbol: {@code start} and {@code length} count instructions in its section. */
    record Func(String name, int section, int start, int length, boolean entry) {
    }

    /** An executable section's instructions, functions (by start) and relocations (by instruction). */
    private record Code(ElfFile.Section section, long[] insns, TreeMap<Integer, Func> funcs,
                        TreeMap<Integer, ElfFile.Rel> relocs) {
    }

    /** A function placed in a program's flat array. */
    private record Placement(Func func, int flatStart) {
    }

    private final ElfFile elf;
    private final ObjectMaps maps;
    private final Btf btf;
    private final BtfExt ext;
    /** File offset of .BTF.ext, for error messages about its records. */
    private final long extOffset;
    /** iproute2's rule: a section name libbpf does not know holds SCHED_CLS programs. */
    private final boolean unknownSectionsAreTc;
    private final Externs externs;
    private final Map<Integer, Code> code = new LinkedHashMap<>();
    private final List<IgnoredSection> ignored = new ArrayList<>();
    /** Poisoned CO-RE instructions by section index, then instruction index in the section. */
    private final Map<Integer, TreeMap<Integer, PoisonedInsn>> poisoned = new HashMap<>();
    private int textIndex = -1;

    private ProgramLinker(ElfFile elf, ObjectMaps maps, Btf btf, BtfExt ext, long extOffset,
                          boolean unknownSectionsAreTc, Externs externs) {
        this.unknownSectionsAreTc = unknownSectionsAreTc;
        this.externs = externs;
        this.elf = elf;
        this.maps = maps;
        this.btf = btf;
        this.ext = ext;
        this.extOffset = extOffset;
    }

    /** Reads the executable sections, their functions and relocations. */
    static ProgramLinker prepare(ElfFile elf, ObjectMaps maps, Btf btf, BtfExt ext, long extOffset,
                                 boolean unknownSectionsAreTc, Externs externs) throws ElfFormatException {
        ProgramLinker linker = new ProgramLinker(elf, maps, btf, ext, extOffset, unknownSectionsAreTc, externs);
        linker.readCode();
        linker.readFunctions();
        linker.readRelocations();
        return linker;
    }

    static boolean isCode(ElfFile.Section s) {
        return s.type() == ElfFile.SHT_PROGBITS && (s.flags() & ElfFile.SHF_EXECINSTR) != 0 && s.size() > 0;
    }

    private void readCode() throws ElfFormatException {
        for (ElfFile.Section s : elf.sections()) {
            if (!isCode(s)) {
                continue;
            }
            if (s.size() % 8 != 0) {
                throw new ElfFormatException(s.name(), s.offset(), "code size " + s.size()
                        + " is not a multiple of 8 (one instruction)");
            }
            byte[] data = elf.data(s, s.size());
            long[] insns = new long[data.length / 8];
            for (int i = 0; i < insns.length; i++) {
                long v = 0;
                for (int b = 7; b >= 0; b--) {
                    v = v << 8 | (data[i * 8 + b] & 0xffL);
                }
                insns[i] = v;
            }
            if (s.name().equals(".text")) {
                textIndex = s.index();
            } else {
                SectionDefs.Def def = SectionDefs.find(s.name());
                String reason = def == null ? (unknownSectionsAreTc ? null
                        : "unknown program section name (libbpf cannot tell its program type)")
                        : def.progType() == SectionDefs.SCHED_CLS || def.progType() == SectionDefs.SCHED_ACT ? null
                        : SectionDefs.progTypeName(def.progType()) + " program: tcxsim runs only tc programs "
                        + "(BPF_PROG_TYPE_SCHED_CLS and SCHED_ACT)";
                if (reason != null) {
                    ignored.add(new IgnoredSection(s.name(), reason));
                    continue;
                }
            }
            code.put(s.index(), new Code(s, insns, new TreeMap<>(), new TreeMap<>()));
        }
    }

    private void readFunctions() throws ElfFormatException {
        ElfFile.Section symtab = elf.symtab();
        for (ElfFile.Symbol sym : elf.symbols()) {
            Code c = code.get(sym.shndx());
            if (c == null || sym.type() != ElfFile.STT_FUNC) {
                continue;
            }
            ElfFile.Section s = c.section();
            if (sym.value() % 8 != 0 || sym.size() % 8 != 0 || sym.size() <= 0 || sym.value() < 0
                    || sym.value() > s.size() || sym.size() > s.size() - sym.value()) {
                throw new ElfFormatException(symtab.name(), sym.fileOffset(), "function '" + sym.name() + "' [0x"
                        + Long.toHexString(sym.value()) + ", +0x" + Long.toHexString(sym.size())
                        + ") is not a whole run of instructions inside section '" + s.name() + "'");
            }
            boolean entry = s.index() != textIndex;
            if (entry && sym.bind() == ElfFile.STB_LOCAL) {
                throw new ElfFormatException(symtab.name(), sym.fileOffset(), "program '" + sym.name()
                        + "' in section '" + s.name() + "' is static; libbpf loads only global programs");
            }
            Func f = new Func(sym.name(), s.index(), (int) (sym.value() / 8), (int) (sym.size() / 8), entry);
            Map.Entry<Integer, Func> before = c.funcs().floorEntry(f.start());
            Map.Entry<Integer, Func> after = c.funcs().ceilingEntry(f.start());
            if (before != null && before.getKey() + before.getValue().length() > f.start()
                    || after != null && after.getKey() < f.start() + f.length()) {
                throw new ElfFormatException(symtab.name(), sym.fileOffset(), "function '" + sym.name()
                        + "' overlaps another function in section '" + s.name() + "'");
            }
            c.funcs().put(f.start(), f);
        }
    }

    private void readRelocations() throws ElfFormatException {
        for (ElfFile.Section rel : elf.sections()) {
            if (rel.type() != ElfFile.SHT_REL && rel.type() != ElfFile.SHT_RELA) {
                continue;
            }
            Code c = code.get(rel.info());
            if (c == null) {
                continue;
            }
            for (ElfFile.Rel r : elf.relocations(rel)) {
                if (r.type() == R_BPF_NONE) {
                    continue;
                }
                if (r.offset() % 8 != 0) {
                    throw new ElfFormatException(rel.name(), r.fileOffset(), "relocation at offset 0x"
                            + Long.toHexString(r.offset()) + " of '" + c.section().name()
                            + "' is not on an instruction boundary");
                }
                int idx = (int) (r.offset() / 8);
                long insn = c.insns()[idx];
                String at = "relocation at instruction " + idx + " of '" + c.section().name() + "'";
                switch (r.type()) {
                    case R_BPF_64_64 -> {
                        if (Insn.opcode(insn) != Insn.LD_IMM64 || idx + 1 >= c.insns().length) {
                            throw new ElfFormatException(rel.name(), r.fileOffset(), at + ": R_BPF_64_64 on opcode 0x"
                                    + Integer.toHexString(Insn.opcode(insn)) + ", which is not a whole LD_IMM64");
                        }
                    }
                    case R_BPF_64_32 -> {
                        if (Insn.opcode(insn) != Insn.CALL || Insn.src(insn) != Insn.PSEUDO_CALL) {
                            throw new ElfFormatException(rel.name(), r.fileOffset(), at + ": R_BPF_64_32 on an "
                                    + "instruction that is not a bpf-to-bpf call (opcode 0x"
                                    + Integer.toHexString(Insn.opcode(insn)) + ", src_reg " + Insn.src(insn) + ")");
                        }
                    }
                    default -> throw new ElfFormatException(rel.name(), r.fileOffset(), at + ": relocation type "
                            + r.type() + " is not used in BPF code (only R_BPF_64_64 and R_BPF_64_32)");
                }
                if (c.relocs().put(idx, r) != null) {
                    throw new ElfFormatException(rel.name(), r.fileOffset(), at + ": a second relocation");
                }
            }
        }
    }

    /** Every entry program's function, in section order and then offset order. */
    List<Func> entries() {
        List<Func> out = new ArrayList<>();
        for (Code c : code.values()) {
            if (c.section().index() != textIndex) {
                out.addAll(c.funcs().values());
            }
        }
        return out;
    }

    /** Code sections that hold no tc program, in section order. */
    List<IgnoredSection> ignored() {
        return List.copyOf(ignored);
    }

    /** True when code section {@code name} was skipped (see {@link #ignored()}). */
    boolean isIgnored(String name) {
        return ignored.stream().anyMatch(i -> i.section().equals(name));
    }

    /** Index of the executable section called {@code name}, or -1 when there is none. */
    int codeSection(String name) {
        for (Code c : code.values()) {
            if (c.section().name().equals(name)) {
                return c.section().index();
            }
        }
        return -1;
    }

    /** The instructions of executable section {@code section}, as they will be linked: patch in place. */
    long[] sectionInsns(int section) {
        return code.get(section).insns();
    }

    /** Remembers that instruction {@code p.insnIndex()} of {@code section} was poisoned (index in the section). */
    void notePoisoned(int section, PoisonedInsn p) {
        poisoned.computeIfAbsent(section, k -> new TreeMap<>()).put(p.insnIndex(), p);
    }

    /** The function containing instruction {@code idx} of section {@code section}, or null. */
    Func functionAt(int section, long idx) {
        Code c = code.get(section);
        Map.Entry<Integer, Func> e = c == null ? null : c.funcs().floorEntry((int) Math.min(idx, Integer.MAX_VALUE));
        return e != null && idx < e.getKey() + e.getValue().length() ? e.getValue() : null;
    }

    /** Links one entry program. */
    ProgramSpec link(Func main) throws ElfFormatException {
        ElfFile.Section sec = elf.section(main.section());
        SectionDefs.Def def = SectionDefs.find(sec.name());
        if (def == null) {
            def = new SectionDefs.Def(sec.name(), SectionDefs.SCHED_CLS, 0, false);
        }
        long[] out = new long[main.length()];
        int used = 0;
        List<Placement> placed = new ArrayList<>();
        Map<Func, Integer> flatStart = new HashMap<>();
        List<Relocation> relocations = new ArrayList<>();
        List<KfuncCall> kfuncCalls = new ArrayList<>();
        List<PoisonedInsn> flatPoisons = new ArrayList<>();
        Deque<int[]> stack = new ArrayDeque<>(); // {placement index, next instruction}

        System.arraycopy(code.get(main.section()).insns(), main.start(), out, 0, main.length());
        used = main.length();
        placed.add(new Placement(main, 0));
        flatStart.put(main, 0);
        stack.push(new int[] {0, 0});
        while (!stack.isEmpty()) {
            int[] frame = stack.peek();
            Placement p = placed.get(frame[0]);
            Func f = p.func();
            if (frame[1] >= f.length()) {
                stack.pop();
                continue;
            }
            int i = frame[1];
            int idx = f.start() + i;
            int flat = p.flatStart() + i;
            Code c = code.get(f.section());
            ElfFile.Rel rel = c.relocs().get(idx);
            long insn = out[flat];
            Func callee = null;
            long calleeTarget = 0;
            if (Insn.opcode(insn) == Insn.CALL && Insn.src(insn) == Insn.PSEUDO_CALL && rel != null
                    && elf.symbols().get(rel.symbol()).shndx() == ElfFile.SHN_UNDEF) {
                kfuncCall(elf.symbols().get(rel.symbol()), out, flat, rel, c, kfuncCalls, flatPoisons);
                frame[1] += 1;
            } else if (Insn.opcode(insn) == Insn.CALL && Insn.src(insn) == Insn.PSEUDO_CALL) {
                long target;
                if (rel != null) {
                    ElfFile.Symbol sym = codeSymbol(rel, c, "call");
                    target = sym.value() / 8 + Insn.imm(insn) + 1;
                } else if (f.section() == textIndex) {
                    target = idx + (long) Insn.imm(insn) + 1;
                } else {
                    throw new ElfFormatException(c.section().name(), c.section().offset() + idx * 8L, "call at "
                            + "instruction " + idx + " has no relocation and does not target .text");
                }
                callee = callee(target, c, idx);
                calleeTarget = target;
                frame[1] += 1;
            } else if (Insn.opcode(insn) == Insn.LD_IMM64) {
                if (i + 1 >= f.length()) {
                    throw new ElfFormatException(c.section().name(), c.section().offset() + idx * 8L, "LD_IMM64 at "
                            + "instruction " + idx + " is cut off by the end of function '" + f.name() + "'");
                }
                frame[1] += 2;
                if (rel != null) {
                    ElfFile.Symbol sym = elf.symbols().get(rel.symbol());
                    if (code.containsKey(sym.shndx())) {
                        long byteOff = sym.value() + Insn.imm(insn);
                        if (byteOff % 8 != 0) {
                            throw new ElfFormatException(c.section().name(), rel.fileOffset(), "function pointer "
                                    + "at instruction " + idx + " is not instruction-aligned");
                        }
                        codeSymbol(rel, c, "function pointer");
                        callee = callee(byteOff / 8, c, idx);
                        calleeTarget = byteOff / 8;
                        out[flat] = Insn.withSrc(out[flat], Insn.PSEUDO_FUNC);
                    } else {
                        Relocation r = mapLoad(rel, sym, out, flat, idx, c);
                        if (r != null) {
                            relocations.add(r);
                        }
                    }
                }
            } else {
                frame[1] += 1;
            }
            if (callee != null) {
                Integer start = flatStart.get(callee);
                if (start == null) {
                    start = used;
                    if (used + callee.length() > out.length) {
                        out = Arrays.copyOf(out, Math.max(used + callee.length(), out.length * 2));
                    }
                    System.arraycopy(code.get(callee.section()).insns(), callee.start(), out, used, callee.length());
                    used += callee.length();
                    flatStart.put(callee, start);
                    placed.add(new Placement(callee, start));
                    stack.push(new int[] {placed.size() - 1, 0});
                }
                long rel32 = start + (calleeTarget - callee.start()) - (flat + 1L);
                out[flat] = Insn.withImm(out[flat], (int) rel32);
            }
        }
        long[] insns = Arrays.copyOf(out, used);
        relocations.sort(Comparator.comparingInt(Relocation::insnIndex));
        return new ProgramSpec(main.name(), sec.name(), def.progType(), def.attachType(), insns, relocations,
                funcInfo(placed), lineInfo(placed), poisoned(placed, flatPoisons), kfuncCalls);
    }

    /** The .text symbol a call or function pointer relocation names. */
    private ElfFile.Symbol codeSymbol(ElfFile.Rel rel, Code from, String what) throws ElfFormatException {
        ElfFile.Symbol sym = elf.symbols().get(rel.symbol());
        if (sym.shndx() == ElfFile.SHN_UNDEF) {
            throw new ElfFormatException(from.section().name(), rel.fileOffset(), what + " to extern function '"
                    + sym.name() + "' (kfuncs and extern functions are not supported)");
        }
        if (sym.value() % 8 != 0) {
            throw new ElfFormatException(from.section().name(), rel.fileOffset(), what + " to '" + sym.name()
                    + "' at .text offset " + sym.value() + ", which is not an instruction boundary");
        }
        if (sym.shndx() != textIndex) {
            String in = sym.shndx() < elf.sections().size() ? elf.section(sym.shndx()).name() : "#" + sym.shndx();
            throw new ElfFormatException(from.section().name(), rel.fileOffset(), what + " to '" + sym.name()
                    + "' in section '" + in + "': only .text functions can be called");
        }
        return sym;
    }

    private Func callee(long target, Code from, int idx) throws ElfFormatException {
        Func callee = textIndex < 0 ? null : functionAt(textIndex, target);
        if (callee == null) {
            throw new ElfFormatException(from.section().name(), from.section().offset() + idx * 8L, "call at "
                    + "instruction " + idx + " targets .text instruction " + target + ", which is in no function");
        }
        return callee;
    }

    private Relocation mapLoad(ElfFile.Rel rel, ElfFile.Symbol sym, long[] out, int flat, int idx, Code c)
            throws ElfFormatException {
        String where = c.section().name();
        if (sym.shndx() == ElfFile.SHN_UNDEF) {
            return externLoad(rel, sym, out, flat, idx, c);
        }
        if (sym.shndx() >= ElfFile.SHN_LORESERVE) {
            throw new ElfFormatException(where, rel.fileOffset(), "instruction " + idx + " loads '" + sym.name()
                    + "', an absolute or common symbol, which is no map");
        }
        long imm = Insn.imm(out[flat]);
        if (maps.isMapSection(sym.shndx())) {
            long offset = sym.value() + (sym.type() == ElfFile.STT_SECTION ? imm : 0);
            int map = maps.mapAt(sym.shndx(), offset);
            if (map < 0) {
                throw new ElfFormatException(where, rel.fileOffset(), "instruction " + idx + " loads '" + sym.name()
                        + "' at offset " + offset + " of '" + elf.section(sym.shndx()).name()
                        + "', where no map starts");
            }
            out[flat] = Insn.withImm(Insn.withSrc(out[flat], Insn.PSEUDO_MAP_FD), 0);
            out[flat + 1] = Insn.withImm(out[flat + 1], 0);
            return new Relocation(flat, Relocation.Kind.MAP_FD, map, 0);
        }
        int map = maps.dataMap(sym.shndx());
        if (map < 0) {
            throw new ElfFormatException(where, rel.fileOffset(), "instruction " + idx + " loads '" + sym.name()
                    + "' from section '" + elf.section(sym.shndx()).name()
                    + "', which is neither a map nor global data");
        }
        long offset = sym.value() + imm;
        long size = maps.spec(map).valueSize();
        if (offset < 0 || offset > size) {
            throw new ElfFormatException(where, rel.fileOffset(), "instruction " + idx + " points at offset " + offset
                    + " of '" + elf.section(sym.shndx()).name() + "' (" + size + " bytes)");
        }
        out[flat] = Insn.withImm(Insn.withSrc(out[flat], Insn.PSEUDO_MAP_VALUE), 0);
        out[flat + 1] = Insn.withImm(out[flat + 1], (int) offset);
        return new Relocation(flat, Relocation.Kind.MAP_VALUE, map, (int) offset);
    }

    /**
     * An LD_IMM64 of an extern: a __kconfig variable becomes a pointer into the .kconfig map, a
     * weak __ksym variable the constant 0, and a kfunc's address (bpf_ksym_exists) 1 when the
     * target has it, else 0; the simulator never dereferences it. Returns the map relocation or null.
     */
    private Relocation externLoad(ElfFile.Rel rel, ElfFile.Symbol sym, long[] out, int flat, int idx, Code c)
            throws ElfFormatException {
        int kconfig = externs.kconfigOffset(sym.name());
        if (kconfig >= 0) {
            out[flat] = Insn.withImm(Insn.withSrc(out[flat], Insn.PSEUDO_MAP_VALUE), 0);
            out[flat + 1] = Insn.withImm(out[flat + 1], kconfig);
            return new Relocation(flat, Relocation.Kind.MAP_VALUE, externs.kconfigMapIndex(), kconfig);
        }
        Long constant = externs.constant(sym.name());
        Externs.Kfunc kfunc = externs.kfunc(sym.name());
        if (constant == null && kfunc != null) {
            constant = kfunc.targetId() >= 0 ? 1L : 0L;
        }
        if (constant == null) {
            throw new ElfFormatException(c.section().name(), rel.fileOffset(), "instruction " + idx + " loads extern '"
                    + sym.name() + "', which the loader did not resolve");
        }
        out[flat] = Insn.withImm(Insn.withSrc(out[flat], 0), (int) (long) constant);
        out[flat + 1] = Insn.withImm(out[flat + 1], (int) (constant >>> 32));
        return null;
    }

    /** A call to an extern function: a kfunc call as the kernel takes it, or poisoned for a weak one the target lacks. */
    private void kfuncCall(ElfFile.Symbol sym, long[] out, int flat, ElfFile.Rel rel, Code c, List<KfuncCall> calls,
                           List<PoisonedInsn> poisons) throws ElfFormatException {
        Externs.Kfunc k = externs.kfunc(sym.name());
        if (k == null) {
            throw new ElfFormatException(c.section().name(), rel.fileOffset(), "call to extern function '" + sym.name()
                    + "', which is not a __ksym kfunc");
        }
        if (k.targetId() < 0) {
            out[flat] = Insn.make(Insn.CALL, 0, Insn.PSEUDO_HELPER, 0, PoisonedInsn.HELPER_ID);
            poisons.add(new PoisonedInsn(flat, 1, "call to weak kfunc '" + k.name() + "', which the target BTF lacks"));
            return;
        }
        out[flat] = Insn.make(Insn.CALL, 0, Insn.PSEUDO_KFUNC_CALL, 0, k.localId());
        calls.add(new KfuncCall(flat, k.name(), k.localId(), k.targetId()));
    }

    private List<PoisonedInsn> poisoned(List<Placement> placed, List<PoisonedInsn> flatPoisons) {
        List<PoisonedInsn> out = new ArrayList<>(flatPoisons);
        for (Placement p : placed) {
            Func f = p.func();
            TreeMap<Integer, PoisonedInsn> inSection = poisoned.get(f.section());
            if (inSection != null) {
                for (PoisonedInsn q : inSection.subMap(f.start(), f.start() + f.length()).values()) {
                    out.add(new PoisonedInsn(p.flatStart() + q.insnIndex() - f.start(), q.slots(), q.relocation()));
                }
            }
        }
        out.sort(Comparator.comparingInt(PoisonedInsn::insnIndex));
        return out;
    }

    private List<FuncInfo> funcInfo(List<Placement> placed) throws ElfFormatException {
        List<FuncInfo> out = new ArrayList<>();
        if (ext == null) {
            return out;
        }
        for (Placement p : placed) {
            String sec = elf.section(p.func().section()).name();
            for (BtfExt.FuncRecord r : ext.funcInfo(sec)) {
                int flat = flatIndex(p, r.insnOff(), sec, "func_info", r.at());
                if (flat < 0) {
                    continue;
                }
                if (!btf.hasType(r.typeId()) || !(btf.type(r.typeId()) instanceof BtfType.Func fn)) {
                    throw new ElfFormatException(".BTF.ext", extOffset + r.at(), "func_info of section '" + sec
                            + "' at byte "
                            + r.insnOff() + " names type id " + Integer.toUnsignedString(r.typeId())
                            + ", which is not a BTF FUNC");
                }
                out.add(new FuncInfo(flat, fn.name(), FuncInfo.Linkage.of(fn.linkage())));
            }
        }
        return out;
    }

    private List<LineInfo> lineInfo(List<Placement> placed) throws ElfFormatException {
        List<LineInfo> out = new ArrayList<>();
        if (ext == null) {
            return out;
        }
        for (Placement p : placed) {
            String sec = elf.section(p.func().section()).name();
            for (BtfExt.LineRecord r : ext.lineInfo(sec)) {
                int flat = flatIndex(p, r.insnOff(), sec, "line_info", r.at());
                if (flat < 0) {
                    continue;
                }
                String file = btf.stringAt(r.fileNameOff()).orElse(null);
                String line = btf.stringAt(r.lineOff()).orElse(null);
                if (file == null || line == null) {
                    throw new ElfFormatException(".BTF.ext", extOffset + r.at(), "line_info of section '" + sec
                            + "' at byte "
                            + r.insnOff() + " names a string that is not in .BTF");
                }
                out.add(new LineInfo(flat, file, line, r.line(), r.column()));
            }
        }
        return out;
    }

    /** The flat index of a .BTF.ext record inside placement {@code p}, or -1 when it is not inside. */
    private int flatIndex(Placement p, long insnOff, String sec, String what, int at) throws ElfFormatException {
        if (insnOff % 8 != 0) {
            throw new ElfFormatException(".BTF.ext", extOffset + at, what + " of section '" + sec + "' at byte " + insnOff
                    + " is not on an instruction boundary");
        }
        long idx = insnOff / 8;
        Func f = p.func();
        if (idx < f.start() || idx >= f.start() + f.length()) {
            return -1;
        }
        return (int) (p.flatStart() + idx - f.start());
    }
}
