package dev.tcxsim.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void unknownCommandIsOneClearLineAndExitTwo() {
        Run r = run("frobnicate");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("Error: "), r.err());
        assertTrue(r.err().contains("unknown command or argument 'frobnicate'"), r.err());
        assertEquals(2, r.err().lines().count(), "one error line and one usage hint: " + r.err());
        assertTrue(r.err().contains("--help"), r.err());
    }

    @Test
    void unknownFlagIsRefused() {
        Run r = run("--frob");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown option '--frob'"), r.err());
    }

    @Test
    void noArgumentsPrintsHelp() {
        Run r = run();
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Usage: tcxsim"), r.out());
        assertTrue(r.out().contains("doctor"), r.out());
    }

    @Test
    void versionNamesTcxsimAndJava() {
        Run r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("tcxsim "), r.out());
        assertTrue(r.out().contains("Java 25"), r.out());
    }

    @Test
    void doctorReportsTheOptimizingRuntimeAndExitsZero() {
        Run r = run("doctor");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("truffle-compilation: ok"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("truffle-runtime: ") && !l.endsWith("Interpreted")), r.out());
        for (String key : new String[] {"java", "kernel", "kernel-backend", "bpffs", "clang"}) {
            assertTrue(r.out().contains("\n" + key + ": ") || r.out().startsWith(key + ": "), key + " missing in " + r.out());
        }
    }
}
