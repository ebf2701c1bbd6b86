package dev.tcxsim.vm.elf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The committed test objects under testdata/progs, found from the module or the repository root. */
final class TestObjects {
    static final List<String> ALL = List.of("verdict", "parser", "nat", "calls", "tailcall", "globals",
            "legacy_maps", "tcx", "map_in_map", "callbacks", "core_kinds", "core_skb", "core_externs", "core_sections");

    private TestObjects() {
    }

    static Path dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata/progs");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("testdata/progs not found above " + Path.of("").toAbsolutePath());
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(dir().resolve(name + ".o"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BpfObject load(String name) throws ElfFormatException {
        return ElfLoader.load(bytes(name), name);
    }
}
