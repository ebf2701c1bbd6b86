package dev.tcxsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bpf_object_open_opts of the command line: --kconfig, --btf, --object-name. */
class OpenOptionsTest {
    private static final Path PROGS = Path.of("..", "testdata", "progs").toAbsolutePath().normalize();

    private static MainTest.Run hz(Path dir, String... global) throws Exception {
        Path in = dir.resolve("frame.bin");
        Files.write(in, new byte[64]);
        String[] cmd = {"prog", "run", "file", PROGS.resolve("core_externs.o").toString(), "name", "hz", "data_in",
                in.toString()};
        String[] all = new String[global.length + cmd.length];
        System.arraycopy(global, 0, all, 0, global.length);
        System.arraycopy(cmd, 0, all, global.length, cmd.length);
        return MainTest.run(all);
    }

    @Test
    void kconfigValuesReachTheProgramsExterns(@TempDir Path dir) throws Exception {
        Path config = dir.resolve(".config");
        Files.writeString(config, "CONFIG_HZ=300\nCONFIG_BPF_JIT=y\n");
        MainTest.Run with = hz(dir, "--kconfig", config.toString());
        assertTrue(with.code() == 0 && with.out().startsWith("Return value: 300,"), with.out() + with.err());
        MainTest.Run without = hz(dir);
        assertTrue(without.code() == 0 && without.out().startsWith("Return value: 0,"),
                "a __weak CONFIG_ extern without a value reads 0: " + without.out() + without.err());
    }

    @Test
    void unreadableOptionFilesAreOneClearLine(@TempDir Path dir) throws Exception {
        MainTest.Run btf = hz(dir, "--btf", dir.resolve("missing.btf").toString());
        assertNotEquals(0, btf.code());
        assertTrue(btf.err().startsWith("Error: cannot read --btf ") && btf.err().contains("missing.btf"), btf.err());
        Path junk = dir.resolve("junk.btf");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        MainTest.Run bad = hz(dir, "--btf", junk.toString());
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("cannot read --btf"), bad.err());
        MainTest.Run kconfig = hz(dir, "--kconfig", dir.resolve("nope").toString());
        assertTrue(kconfig.code() != 0 && kconfig.err().contains("cannot read --kconfig"), kconfig.err());
    }

    @Test
    void theObjectNameOptionRenamesTheObject(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("frame.bin");
        Files.write(in, new byte[64]);
        MainTest.Run r = MainTest.run("--object-name", "renamed", "prog", "run", "file",
                PROGS.resolve("core_externs.o").toString(), "name", "no_such_program", "data_in", in.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("renamed"), "errors name the object by its given name: " + r.err());
    }
}
