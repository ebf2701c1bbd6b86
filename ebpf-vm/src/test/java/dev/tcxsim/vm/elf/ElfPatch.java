package dev.tcxsim.vm.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Finds headers, sections and symbols in a copy of an object so that tests can corrupt them precisely. */
final class ElfPatch {
    final byte[] bytes;
    private final ByteBuffer buf;

    ElfPatch(byte[] original) {
        this.bytes = original.clone();
        this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    int shoff() {
        return (int) buf.getLong(40);
    }

    int shnum() {
        return buf.getShort(60) & 0xffff;
    }

    /** File offset of the header of section {@code index}. */
    int header(int index) {
        return shoff() + index * 64;
    }

    int indexOf(String name) {
        int strtab = header(buf.getShort(62) & 0xffff);
        int names = (int) buf.getLong(strtab + 24);
        for (int i = 1; i < shnum(); i++) {
            if (cString(names + buf.getInt(header(i))).equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no section " + name);
    }

    int header(String name) {
        return header(indexOf(name));
    }

    int offset(String section) {
        return (int) buf.getLong(header(section) + 24);
    }

    int size(String section) {
        return (int) buf.getLong(header(section) + 32);
    }

    /** File offset of the symbol table entry named {@code name}. */
    int symbol(String name) {
        int symtab = header(".symtab");
        int off = (int) buf.getLong(symtab + 24);
        int count = (int) buf.getLong(symtab + 32) / 24;
        int strtab = header(buf.getInt(symtab + 40));
        int names = (int) buf.getLong(strtab + 24);
        for (int i = 0; i < count; i++) {
            if (cString(names + buf.getInt(off + i * 24)).equals(name)) {
                return off + i * 24;
            }
        }
        throw new IllegalArgumentException("no symbol " + name);
    }

    int u32(int at) {
        return buf.getInt(at);
    }

    long u64(int at) {
        return buf.getLong(at);
    }

    ElfPatch put8(int at, int v) {
        bytes[at] = (byte) v;
        return this;
    }

    ElfPatch put16(int at, int v) {
        buf.putShort(at, (short) v);
        return this;
    }

    ElfPatch put32(int at, int v) {
        buf.putInt(at, v);
        return this;
    }

    ElfPatch put64(int at, long v) {
        buf.putLong(at, v);
        return this;
    }

    private String cString(int at) {
        int end = at;
        while (bytes[end] != 0) {
            end++;
        }
        return new String(bytes, at, end - at, StandardCharsets.UTF_8);
    }
}
