package dev.tcxsim.linux;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A JVM that ends with a session still open (SIGTERM, or System.exit) leaves nothing behind. */
class ShutdownCleanupTest {
    private static Process child(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SessionChild.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String[] ready(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        assertNotNull(line, "the child JVM ended before its session was ready");
        assertTrue(line.startsWith("READY "), line);
        return line.split(" ");
    }

    private static void assertCleaned(String[] ready) throws Exception {
        Path bpffs = Path.of(ready[1]);
        long netns = Long.parseLong(ready[2]);
        assertFalse(Files.exists(bpffs), "the child's bpffs directory was removed");
        assertTrue(RealKernel.hostMountsOf(bpffs).isEmpty(), "no tcxsim mount: " + RealKernel.hostMountsOf(bpffs));
        assertFalse(RealKernel.netnsInUse(netns), "the child's netns is gone");
    }

    @Test
    void sigtermRunsTheSessionsShutdownHook() throws Exception {
        RealKernel.require();
        Process p = child();
        try {
            String[] ready = ready(p);
            assertTrue(Files.exists(Path.of(ready[1])), "the bpffs directory exists while the child runs");
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM ends on SIGTERM");
            assertCleaned(ready);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void systemExitWithAnOpenSessionCleansUpToo() throws Exception {
        RealKernel.require();
        Process p = child("exit");
        try {
            String[] ready = ready(p);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(3, p.exitValue());
            assertCleaned(ready);
        } finally {
            p.destroyForcibly();
        }
    }
}
