package dev.tcxsim.vm.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ELF layer of the loader: header, section table, symbol table and REL relocation sections of
 * a little-endian ELF64 EM_BPF relocatable object, every offset, size, index and count checked
 * against the file before anything is read or allocated. Knows nothing about BPF semantics.
 */
final class ElfFile {
    static final int EM_BPF = 247;
    static final int SHT_PROGBITS = 1;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_RELA = 4;
    static final int SHT_NOBITS = 8;
    static final int SHT_REL = 9;
    static final long SHF_EXECINSTR = 0x4;
    static final int STT_OBJECT = 1;
    static final int STT_FUNC = 2;
    static final int STT_SECTION = 3;
    static final int STB_LOCAL = 0;
    static final int SHN_UNDEF = 0;
    static final int SHN_LORESERVE = 0xff00;
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    private static final int REL_SIZE = 16;

    /** One section header. {@code data} reads its bytes; NOBITS sections read as zeros. */
    record Section(int index, String name, int type, long flags, long offset, long size, int link, int info,
                   long entsize) {
        boolean isNobits() {
            return type == SHT_NOBITS;
        }
    }

    record Symbol(int index, String name, int type, int bind, int shndx, long value, long size, long fileOffset) {
    }

    /** One REL entry: {@code offset} inside the target section. */
    record Rel(long offset, int type, int symbol, long fileOffset) {
    }

    private final byte[] bytes;
    private final ByteBuffer buf;
    private final List<Section> sections = new ArrayList<>();
    private final List<Symbol> symbols = new ArrayList<>();
    private Section symtab;

    private ElfFile(byte[] bytes) {
        this.bytes = bytes;
        this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ElfFile parse(byte[] bytes) throws ElfFormatException {
        ElfFile f = new ElfFile(bytes);
        f.readHeaderAndSections();
        f.readSymbols();
        return f;
    }

    private void readHeaderAndSections() throws ElfFormatException {
        if (bytes.length < EHDR_SIZE) {
            throw new ElfFormatException("ELF header", 0, "file truncated: " + bytes.length
                    + " bytes, an ELF64 header needs " + EHDR_SIZE);
        }
        if (bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw new ElfFormatException("ELF header", 0, "not an ELF file (bad magic)");
        }
        if (bytes[4] != 2) {
            throw new ElfFormatException("ELF header", 4, "ELF class " + bytes[4] + ", expected 2 (ELFCLASS64)");
        }
        if (bytes[5] != 1) {
            throw new ElfFormatException("ELF header", 5, "data encoding " + bytes[5]
                    + ", expected 1 (little-endian); big-endian BPF objects are not supported");
        }
        int type = u16(16);
        if (type != 1) {
            throw new ElfFormatException("ELF header", 16, "e_type " + type + ", expected 1 (ET_REL, relocatable)");
        }
        int machine = u16(18);
        if (machine != EM_BPF) {
            throw new ElfFormatException("ELF header", 18, "e_machine " + machine + ", expected " + EM_BPF
                    + " (EM_BPF)");
        }
        long shoff = buf.getLong(40);
        int shentsize = u16(58);
        int shnum = u16(60);
        int shstrndx = u16(62);
        if (shnum == 0) {
            throw new ElfFormatException("ELF header", 60, "no section header table (e_shnum 0)");
        }
        if (shentsize != SHDR_SIZE) {
            throw new ElfFormatException("ELF header", 58, "e_shentsize " + shentsize + ", expected " + SHDR_SIZE);
        }
        if (shoff < EHDR_SIZE || shoff > bytes.length || (long) shnum * SHDR_SIZE > bytes.length - shoff) {
            throw new ElfFormatException("section header table", Math.max(0, shoff), "table of " + shnum
                    + " headers at 0x" + Long.toHexString(shoff) + " does not fit in the file (" + bytes.length
                    + " bytes)");
        }
        if (shstrndx >= shnum) {
            throw new ElfFormatException("ELF header", 62, "e_shstrndx " + shstrndx + " out of range (" + shnum
                    + " sections)");
        }
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * SHDR_SIZE);
            raw[i] = new long[] {u32(h), u32(h + 4), buf.getLong(h + 8), buf.getLong(h + 24), buf.getLong(h + 32),
                    u32(h + 40), u32(h + 44), buf.getLong(h + 56), h};
        }
        long[] strHdr = raw[shstrndx];
        if (strHdr[1] != SHT_STRTAB) {
            throw new ElfFormatException("section #" + shstrndx, strHdr[8] + 4,
                    "e_shstrndx names a section of type " + strHdr[1] + ", not a string table");
        }
        checkBounds(strHdr, "section name table (#" + shstrndx + ")");
        for (int i = 0; i < shnum; i++) {
            long[] r = raw[i];
            String name = i == 0 ? "" : string(strHdr, r[0], "section #" + i + " (name)", r[8]);
            checkBounds(r, name);
            if (r[5] >= shnum && r[1] != 0) {
                throw new ElfFormatException(name, r[8] + 40, "sh_link " + r[5] + " out of range (" + shnum
                        + " sections)");
            }
            sections.add(new Section(i, name, (int) r[1], r[2], r[3], r[4], (int) r[5], (int) r[6], r[7]));
        }
    }

    /** A section's data must lie inside the file (NOBITS sections have none). */
    private void checkBounds(long[] r, String name) throws ElfFormatException {
        long type = r[1];
        long off = r[3];
        long size = r[4];
        if (type != SHT_NOBITS && type != 0 && (off < 0 || size < 0 || off > bytes.length
                || size > bytes.length - off)) {
            throw new ElfFormatException(name, r[8] + 24, "section data [0x" + Long.toHexString(off) + ", +0x"
                    + Long.toHexString(size) + ") lies outside the file (" + bytes.length + " bytes)");
        }
    }

    private void readSymbols() throws ElfFormatException {
        for (Section s : sections) {
            if (s.type() == SHT_SYMTAB) {
                if (symtab != null) {
                    throw new ElfFormatException(s.name(), s.offset(), "a second symbol table (first: '"
                            + symtab.name() + "')");
                }
                symtab = s;
            }
        }
        if (symtab == null) {
            throw new ElfFormatException("section header table", -1, "the object has no symbol table (.symtab)");
        }
        if (symtab.entsize() != SYM_SIZE || symtab.size() % SYM_SIZE != 0) {
            throw new ElfFormatException(symtab.name(), symtab.offset(), "symbol entries of " + symtab.entsize()
                    + " bytes in a table of " + symtab.size() + ", expected " + SYM_SIZE + "-byte entries");
        }
        Section strtab = sections.get(symtab.link());
        if (strtab.type() != SHT_STRTAB) {
            throw new ElfFormatException(symtab.name(), symtab.offset(), "sh_link " + symtab.link()
                    + " is not a string table");
        }
        long[] strHdr = {0, strtab.type(), 0, strtab.offset(), strtab.size()};
        int count = (int) (symtab.size() / SYM_SIZE);
        for (int i = 0; i < count; i++) {
            int p = (int) (symtab.offset() + (long) i * SYM_SIZE);
            String name = string(strHdr, u32(p), strtab.name() + " (symbol #" + i + ")", p);
            int info = bytes[p + 4] & 0xff;
            int shndx = u16(p + 6);
            if (shndx != SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= sections.size()) {
                throw new ElfFormatException(symtab.name(), p + 6, "symbol #" + i + " '" + name + "' is in section "
                        + shndx + ", out of range (" + sections.size() + " sections)");
            }
            symbols.add(new Symbol(i, name, info & 0xf, info >>> 4, shndx, buf.getLong(p + 8), buf.getLong(p + 16),
                    p));
        }
    }

    /** The REL entries of relocation section {@code rel}, each checked against its target section. */
    List<Rel> relocations(Section rel) throws ElfFormatException {
        if (rel.type() == SHT_RELA) {
            throw new ElfFormatException(rel.name(), rel.offset(), "RELA relocations are not used by BPF objects");
        }
        if (rel.entsize() != REL_SIZE || rel.size() % REL_SIZE != 0) {
            throw new ElfFormatException(rel.name(), rel.offset(), "relocation entries of " + rel.entsize()
                    + " bytes in a section of " + rel.size() + ", expected " + REL_SIZE + "-byte entries");
        }
        Section target = target(rel);
        int count = (int) (rel.size() / REL_SIZE);
        List<Rel> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int p = (int) (rel.offset() + (long) i * REL_SIZE);
            long offset = buf.getLong(p);
            long info = buf.getLong(p + 8);
            long sym = info >>> 32;
            if (sym >= symbols.size()) {
                throw new ElfFormatException(rel.name(), p + 12, "relocation #" + i + " names symbol " + sym
                        + ", out of range (" + symbols.size() + " symbols)");
            }
            if (offset < 0 || offset >= target.size()) {
                throw new ElfFormatException(rel.name(), p, "relocation #" + i + " at offset 0x"
                        + Long.toHexString(offset) + " is outside its section '" + target.name() + "' (0x"
                        + Long.toHexString(target.size()) + " bytes)");
            }
            out.add(new Rel(offset, (int) info, (int) sym, p));
        }
        return out;
    }

    /** The section a relocation section applies to (sh_info). */
    Section target(Section rel) throws ElfFormatException {
        if (rel.info() <= 0 || rel.info() >= sections.size()) {
            throw new ElfFormatException(rel.name(), rel.offset(), "sh_info " + Integer.toUnsignedString(rel.info())
                    + " does not name a section (" + sections.size() + " sections)");
        }
        if (rel.link() != symtab.index()) {
            throw new ElfFormatException(rel.name(), rel.offset(), "sh_link " + rel.link()
                    + " is not the symbol table");
        }
        return sections.get(rel.info());
    }

    private String string(long[] table, long offset, String what, long at) throws ElfFormatException {
        long base = table[3];
        long size = table[4];
        if (offset >= size) {
            throw new ElfFormatException(what, at, "name offset " + offset + " outside the string table ("
                    + size + " bytes)");
        }
        int start = (int) (base + offset);
        int end = start;
        int limit = (int) (base + size);
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        if (end == limit) {
            throw new ElfFormatException(what, start, "name is not NUL-terminated");
        }
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }

    List<Section> sections() {
        return sections;
    }

    List<Symbol> symbols() {
        return symbols;
    }

    Section symtab() {
        return symtab;
    }

    Section section(int index) {
        return sections.get(index);
    }

    /** A copy of a section's bytes (zeros for NOBITS, whose size is checked against {@code limit}). */
    byte[] data(Section s, long limit) throws ElfFormatException {
        if (s.isNobits()) {
            if (s.size() < 0 || s.size() > limit) {
                throw new ElfFormatException(s.name(), s.offset(), "NOBITS size 0x" + Long.toHexString(s.size())
                        + " exceeds the limit of 0x" + Long.toHexString(limit));
            }
            return new byte[(int) s.size()];
        }
        byte[] out = new byte[(int) s.size()];
        System.arraycopy(bytes, (int) s.offset(), out, 0, out.length);
        return out;
    }

    long u64(long at) {
        return buf.getLong((int) at);
    }

    int u16(int at) {
        return buf.getShort(at) & 0xffff;
    }

    long u32(int at) {
        return buf.getInt(at) & 0xffffffffL;
    }

    int length() {
        return bytes.length;
    }
}
