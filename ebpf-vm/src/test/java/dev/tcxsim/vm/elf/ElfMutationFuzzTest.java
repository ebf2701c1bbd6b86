package dev.tcxsim.vm.elf;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutation fuzzing of the loader over the committed objects: bit flips, interesting words
 * written over headers, tables and BTF, truncation and splices. The property: the loader returns a
 * consistent object or throws ElfFormatException from an explicit check, nothing else, ever.
 *
 * <p>A failure prints the seed; {@code -Dtcxsim.seed=N} replays that one case, and
 * {@code -Dtcxsim.fuzz.iterations=N} runs more (or fewer) per object. With
 * {@code -Dtcxsim.fuzz.corpusOut=DIR} every input whose error is new is written there, which is how
 * the regression corpus in src/test/resources/elf/fuzz-corpus was grown.
 */
class ElfMutationFuzzTest {
    private static final long BASE_SEED = 0x7C5_E1F_0001L;
    private static final long[] INTERESTING = {0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffffL, 0x80000000L,
            0xffffffffL, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 24, 64, 0x1000};
    private static final String[] TARGETS = {".symtab", ".strtab", ".BTF", ".BTF.ext", ".maps", "maps", ".reltc",
            ".rel.maps", "tc", ".text", ".rodata", ".data", ".bss"};

    @Test
    void mutatedObjectsParseOrFailCleanly() throws IOException {
        String replay = System.getProperty("tcxsim.seed");
        int iterations = Integer.getInteger("tcxsim.fuzz.iterations", 1500);
        String corpusOut = System.getProperty("tcxsim.fuzz.corpusOut");
        Set<String> seenErrors = new HashSet<>();
        int parsed = 0, refused = 0;
        for (int o = 0; o < TestObjects.ALL.size(); o++) {
            String name = TestObjects.ALL.get(o);
            byte[] original = TestObjects.bytes(name);
            for (int i = 0; i < iterations; i++) {
                long seed = BASE_SEED + (long) o * 1_000_000 + i;
                if (replay != null && Long.parseLong(replay) != seed) {
                    continue;
                }
                byte[] input = mutate(original, new SplittableRandom(seed));
                String outcome = check(input, name + " seed " + seed + " (replay with -Dtcxsim.seed=" + seed + ")");
                if (outcome == null) {
                    parsed++;
                } else {
                    refused++;
                    // one input per kind of error: names and numbers do not make a new kind
                    String key = outcome.replaceAll("'[^']*'|\"[^\"]*\"", "'x'").replaceAll("0x[0-9a-f]+|\\d+", "#");
                    if (corpusOut != null && seenErrors.add(key)) {
                        Files.createDirectories(Path.of(corpusOut));
                        Files.write(Path.of(corpusOut, name + "-" + seed), input);
                    }
                }
            }
        }
        System.out.println("ELF mutation fuzz: " + parsed + " mutants parsed, " + refused + " refused");
        if (replay == null) {
            assertTrue(refused > 0 && parsed > 0, "mutations should both break and spare objects");
        }
    }

    /** Every file of the committed regression corpus (inputs that once found bugs or new errors). */
    @Test
    void regressionCorpusParsesOrFailsCleanly() throws IOException {
        Path dir = corpusDir();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        assertFalse(files.isEmpty(), "no corpus in " + dir);
        for (Path f : files) {
            check(Files.readAllBytes(f), "corpus file " + f.getFileName());
        }
    }

    static Path corpusDir() {
        try {
            return Path.of(ElfMutationFuzzTest.class.getResource("/elf/fuzz-corpus").toURI());
        } catch (Exception e) {
            throw new IllegalStateException("the fuzz corpus is missing from the test resources", e);
        }
    }

    /** Loads {@code input}; returns null when it parsed (and was consistent), else the error message. */
    static String check(byte[] input, String what) {
        try {
            BpfObject obj = ElfLoader.load(input, "mutant");
            assertConsistent(obj, what);
            return null;
        } catch (ElfFormatException e) {
            if (e.getCause() != null) {
                fail(what + ": loader bug behind an ElfFormatException", e.getCause());
            }
            if (e.getMessage() == null || !e.getMessage().startsWith("section '")) {
                fail(what + ": message does not name a section: " + e.getMessage());
            }
            return e.getMessage();
        } catch (Throwable t) {
            fail(what + ": " + t, t);
            return null;
        }
    }

    /** What the VM and the kernel backend rely on: every index points inside its array. */
    private static void assertConsistent(BpfObject obj, String what) {
        for (MapSpec m : obj.maps()) {
            if (m.innerMapIndex() >= obj.maps().size() || m.innerMapIndex() < -1) {
                fail(what + ": inner map index " + m.innerMapIndex() + " of " + m.name());
            }
            if (m.kind() == MapSpec.Kind.GLOBAL_DATA && m.initialData().length != m.valueSize()) {
                fail(what + ": initial data of " + m.name() + " does not match its value size");
            }
        }
        for (ProgramSpec p : obj.programs()) {
            long[] insns = p.insns();
            for (Relocation r : p.relocations()) {
                if (r.insnIndex() < 0 || r.insnIndex() + 1 >= insns.length || r.mapIndex() < 0
                        || r.mapIndex() >= obj.maps().size()) {
                    fail(what + ": relocation " + r + " of " + p.name() + " points outside");
                }
            }
            for (int i = 0; i < insns.length; i++) {
                if (Insn.opcode(insns[i]) == Insn.CALL && Insn.src(insns[i]) == Insn.PSEUDO_CALL) {
                    long target = i + 1L + Insn.imm(insns[i]);
                    if (target < 0 || target >= insns.length) {
                        fail(what + ": call at " + i + " of " + p.name() + " leaves the program");
                    }
                }
            }
            for (FuncInfo f : p.funcInfo()) {
                if (f.insnOffset() < 0 || f.insnOffset() >= insns.length) {
                    fail(what + ": func_info " + f + " outside " + p.name());
                }
            }
            for (LineInfo l : p.lineInfo()) {
                if (l.insnOffset() < 0 || l.insnOffset() >= insns.length) {
                    fail(what + ": line_info " + l + " outside " + p.name());
                }
            }
        }
    }

    static byte[] mutate(byte[] original, SplittableRandom rnd) {
        byte[] b = original.clone();
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds && b.length > 0; r++) {
            switch (rnd.nextInt(6)) {
                case 0 -> {
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
                case 1 -> writeWord(b, rnd.nextInt(b.length), rnd);
                case 2 -> {
                    int[] region = region(b, rnd);
                    if (region[1] > 0) {
                        writeWord(b, region[0] + rnd.nextInt(region[1]), rnd);
                    }
                }
                case 3 -> {
                    int[] region = region(b, rnd);
                    if (region[1] > 0) {
                        int at = region[0] + rnd.nextInt(region[1]);
                        b[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 4 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
                default -> {
                    int len = 1 + rnd.nextInt(Math.min(64, b.length));
                    int from = rnd.nextInt(b.length - len + 1);
                    int to = rnd.nextInt(b.length - len + 1);
                    System.arraycopy(b.clone(), from, b, to, len);
                }
            }
        }
        return b;
    }

    /** Writes an interesting 1, 2, 4 or 8-byte little-endian value at {@code at} (clipped to the array). */
    private static void writeWord(byte[] b, int at, SplittableRandom rnd) {
        int width = 1 << rnd.nextInt(4);
        long v = rnd.nextInt(4) == 0 ? rnd.nextLong() : INTERESTING[rnd.nextInt(INTERESTING.length)];
        if (rnd.nextBoolean()) {
            v = v + rnd.nextInt(-2, 3);
        }
        for (int i = 0; i < width && at + i < b.length; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /**
     * A structurally interesting region {start, length}: the ELF header, the section header table,
     * or one named section's data, found by reading the (possibly already damaged) headers
     * defensively. Falls back to the whole file.
     */
    private static int[] region(byte[] b, SplittableRandom rnd) {
        int[] whole = {0, b.length};
        try {
            ElfPatch p = new ElfPatch(b);
            int[] r = switch (rnd.nextInt(3)) {
                case 0 -> new int[] {0, 64};
                case 1 -> new int[] {p.shoff(), p.shnum() * 64};
                default -> {
                    String name = TARGETS[rnd.nextInt(TARGETS.length)];
                    yield new int[] {p.offset(name), p.size(name)};
                }
            };
            if (r[0] < 0 || r[0] >= b.length || r[1] <= 0) {
                return whole;
            }
            return new int[] {r[0], Math.min(r[1], b.length - r[0])};
        } catch (RuntimeException e) {
            return whole;
        }
    }

    static List<String> objects() {
        return new ArrayList<>(TestObjects.ALL);
    }
}
