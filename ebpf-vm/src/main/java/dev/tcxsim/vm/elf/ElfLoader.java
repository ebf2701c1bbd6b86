package dev.tcxsim.vm.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a BPF ELF object (ELF64, little-endian, EM_BPF relocatable, as clang -target bpf writes
 * it) into a {@link BpfObject}, the way libbpf's bpf_object__open and bpf_object__relocate do.
 */
public final class ElfLoader {
    private ElfLoader() {
    }

    /** Loads the object at {@code file}; its name is the file name without ".o". */
    public static BpfObject load(Path file) throws ElfFormatException, IOException {
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".o") ? fileName.substring(0, fileName.length() - 2) : fileName;
        return load(Files.readAllBytes(file), name);
    }

    /** Parses an object held in memory; whatever the bytes, throws nothing but {@link ElfFormatException}. */
    public static BpfObject load(byte[] elf, String objectName) throws ElfFormatException {
        throw new ElfFormatException("ELF header @0x0: loader not implemented yet");
    }
}
