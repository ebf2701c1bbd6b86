package dev.tcxsim.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The few ELF facts {@code prog check} needs, read without linking: sections, symbols and the
 * relocations of each section. The simulator's own loader stops at the first thing it cannot do
 * (a CO-RE relocation, a kfunc); a compatibility report must go on and list all of them, so it
 * reads the file itself. Every offset is checked against the file: bad input is a {@link CliError}.
 */
final class ProgCheckElf {
    static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_NOBITS = 8, SHT_REL = 9;
    static final long SHF_EXECINSTR = 0x4;
    static final int STT_FUNC = 2, STB_GLOBAL = 1, SHN_UNDEF = 0;
    private static final int EM_BPF = 247;

    record Section(int index, String name, int type, long flags, long offset, long size, int link, int info) {
        boolean executable() {
            return type == SHT_PROGBITS && (flags & SHF_EXECINSTR) != 0 && size > 0;
        }
    }

    record Symbol(String name, int type, int bind, int shndx, long value, long size) {
    }

    /** One REL entry: the byte offset in the target section and the symbol it names. */
    record Rel(long offset, Symbol symbol) {
    }

    private final String file;
    private final ByteBuffer buf;
    final List<Section> sections = new ArrayList<>();
    final List<Symbol> symbols = new ArrayList<>();
    /** Section index → the relocations that apply to it. */
    final Map<Integer, List<Rel>> relocations = new HashMap<>();

    private ProgCheckElf(String file, byte[] bytes) {
        this.file = file;
        this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ProgCheckElf read(String file, byte[] bytes) throws CliError {
        ProgCheckElf elf = new ProgCheckElf(file, bytes);
        elf.parse();
        return elf;
    }

    private CliError bad(String what) {
        return new CliError(file + " is not a BPF object: " + what);
    }

    private void parse() throws CliError {
        if (buf.capacity() < 64 || buf.getInt(0) != 0x464c457f) {
            throw bad("no ELF header");
        }
        if (buf.get(4) != 2 || buf.get(5) != 1) {
            throw bad("not a 64-bit little-endian ELF file");
        }
        if (Short.toUnsignedInt(buf.getShort(18)) != EM_BPF) {
            throw bad("machine " + Short.toUnsignedInt(buf.getShort(18)) + " is not EM_BPF (247)");
        }
        long shoff = buf.getLong(40);
        int shentsize = Short.toUnsignedInt(buf.getShort(58));
        int shnum = Short.toUnsignedInt(buf.getShort(60));
        int shstrndx = Short.toUnsignedInt(buf.getShort(62));
        if (shentsize < 64 || shnum == 0 || !fits(shoff, (long) shentsize * shnum) || shstrndx >= shnum) {
            throw bad("section header table outside the file");
        }
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * shentsize);
            raw[i] = new long[] {Integer.toUnsignedLong(buf.getInt(at)), Integer.toUnsignedLong(buf.getInt(at + 4)),
                buf.getLong(at + 8), buf.getLong(at + 24), buf.getLong(at + 32), Integer.toUnsignedLong(buf.getInt(at + 40)),
                Integer.toUnsignedLong(buf.getInt(at + 44))};
        }
        long[] strtab = raw[shstrndx];
        if (!fits(strtab[3], strtab[4])) {
            throw bad("section name table outside the file");
        }
        for (int i = 0; i < shnum; i++) {
            long[] s = raw[i];
            if (s[1] != SHT_NOBITS && s[1] != 0 && !fits(s[3], s[4])) {
                throw bad("section " + i + " lies outside the file");
            }
            sections.add(new Section(i, string(strtab, s[0]), (int) s[1], s[2], s[3], s[4], (int) s[5], (int) s[6]));
        }
        Section symtab = sections.stream().filter(s -> s.type() == SHT_SYMTAB).findFirst().orElse(null);
        if (symtab == null) {
            return;
        }
        if (symtab.link() >= shnum) {
            throw bad("symbol table names no string table");
        }
        long[] names = raw[symtab.link()];
        for (long at = symtab.offset(); at + 24 <= symtab.offset() + symtab.size(); at += 24) {
            int info = Byte.toUnsignedInt(buf.get((int) at + 4));
            symbols.add(new Symbol(string(names, Integer.toUnsignedLong(buf.getInt((int) at))), info & 0xf, info >> 4,
                    Short.toUnsignedInt(buf.getShort((int) at + 6)), buf.getLong((int) at + 8), buf.getLong((int) at + 16)));
        }
        for (Section s : sections) {
            if (s.type() != SHT_REL || s.info() <= 0 || s.info() >= shnum) {
                continue;
            }
            List<Rel> rels = relocations.computeIfAbsent(s.info(), k -> new ArrayList<>());
            for (long at = s.offset(); at + 16 <= s.offset() + s.size(); at += 16) {
                long sym = buf.getLong((int) at + 8) >>> 32;
                if (sym >= symbols.size()) {
                    throw bad("relocation in " + s.name() + " names symbol " + sym + " of " + symbols.size());
                }
                rels.add(new Rel(buf.getLong((int) at), symbols.get((int) sym)));
            }
        }
    }

    private boolean fits(long offset, long size) {
        return offset >= 0 && size >= 0 && offset <= buf.capacity() && size <= buf.capacity() - offset;
    }

    private String string(long[] table, long offset) throws CliError {
        if (offset >= table[4]) {
            throw bad("name offset " + offset + " outside its string table");
        }
        int start = (int) (table[3] + offset);
        int end = start;
        int limit = (int) (table[3] + table[4]);
        while (end < limit && buf.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - start];
        buf.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The bytes of a section (empty for NOBITS). */
    byte[] data(Section s) {
        if (s.type() == SHT_NOBITS) {
            return new byte[0];
        }
        byte[] b = new byte[(int) s.size()];
        buf.get((int) s.offset(), b);
        return b;
    }

    Section section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    /** The 8-byte instruction at {@code byteOffset} of an executable section, as a little-endian long. */
    long insn(Section s, long byteOffset) {
        return buf.getLong((int) (s.offset() + byteOffset));
    }
}
