package dev.tcxsim.vm.elf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Coverage-guided fuzzing of the loader with Jazzer. In a normal build this runs in regression
 * mode: once per seed from {@link #seeds()} (the committed objects and the corpus in
 * src/test/resources/elf/fuzz-corpus) and once with an empty input. {@code JAZZER_FUZZ=1 mvn test
 * -pl ebpf-vm -Dtest=ElfJazzerFuzzTest} fuzzes for real from the same seeds; Jazzer writes its
 * findings next to this class's resources, and they belong in the corpus directory once fixed.
 */
class ElfJazzerFuzzTest {
    @MethodSource("seeds")
    @FuzzTest(maxDuration = "60s")
    void load(byte[] input) {
        ElfMutationFuzzTest.check(input, "jazzer input of " + input.length + " bytes");
    }

    static Stream<Arguments> seeds() throws IOException {
        Stream<Path> objects = TestObjects.ALL.stream().map(n -> TestObjects.dir().resolve(n + ".o"));
        Stream<Path> corpus = Files.list(ElfMutationFuzzTest.corpusDir()).sorted();
        return Stream.concat(objects, corpus).map(p -> Arguments.of(read(p)));
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
