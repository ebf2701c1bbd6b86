package dev.tcxsim.conformance.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the committed test objects ({@code testdata/progs/*.o}) wherever the suite runs: from a
 * module directory under Maven, from the repository root through {@code tcxsim conformance}, or
 * from anywhere with {@code -Dtcxsim.root}.
 */
public final class TestData {
    private TestData() {
    }

    /** The path of {@code testdata/progs/<file>}; fails naming where it looked. */
    public static Path prog(String file) {
        String root = System.getProperty("tcxsim.root");
        Path start = root != null ? Path.of(root) : Path.of("");
        Path dir = start.toAbsolutePath().normalize();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata").resolve("progs").resolve(file);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("test object testdata/progs/" + file + " not found from " + dir
                + " or its parents (set -Dtcxsim.root to the repository)");
    }
}
