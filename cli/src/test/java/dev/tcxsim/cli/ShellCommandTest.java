package dev.tcxsim.cli;

import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.tcxsim.cli.ExplainCommandTest.OBJ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shell's line handler and completion, and the JLine loop on a dumb terminal fed from a pipe. */
class ShellCommandTest {
    @Test
    void oneSessionLivesAcrossLinesAsInABatch() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (Session s = Session.open("sim")) {
            ShellCommand.Shell shell = new ShellCommand.Shell(s, false, new PrintWriter(out, true), new PrintWriter(err, true));
            assertTrue(shell.handle("dev add veth0 type veth peer veth1"));
            assertTrue(shell.handle("prog load " + OBJ + " count name count"));
            assertTrue(shell.handle("net attach tcx_ingress name count dev veth1 link as agent   # a comment is fine"));
            assertEquals(0, shell.lastCode(), err.toString());
            assertTrue(shell.handle("net show dev veth1"));
            // the unpinned link is still there: the shell is one process, like a batch file
            assertTrue(out.toString().contains("name count  link id"), out.toString());
            assertTrue(shell.handle("net frob"));
            assertEquals(2, shell.lastCode());
            assertTrue(err.toString().contains("unknown verb 'frob' for 'net'"), err.toString());
            assertTrue(shell.handle("help net"));
            assertTrue(out.toString().contains("net history dev NAME"), out.toString());
            assertTrue(shell.handle("shell"));
            assertTrue(err.toString().contains("in the shell already"), err.toString());
            assertFalse(shell.handle("exit"));
        }
    }

    @Test
    void aLessonTypedIntoTheShellPrintsWhatItsBatchFilePrints() throws Exception {
        java.nio.file.Path lesson = java.nio.file.Path.of("..", "examples", "02-links.tcx").toAbsolutePath().normalize();
        MainTest.Run batch;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // the lesson names its object relative to the repository root; run both from there
        List<String> lines = java.nio.file.Files.readAllLines(lesson).stream()
                .map(l -> l.replace("examples/progs/lessons.o", OBJ)).toList();
        java.nio.file.Path copy = java.nio.file.Files.createTempFile("lesson", ".tcx");
        try {
            java.nio.file.Files.write(copy, lines);
            batch = MainTest.run("batch", "file", copy.toString(), "--continue");
        } finally {
            java.nio.file.Files.delete(copy);
        }
        try (Session s = Session.open("sim")) {
            ShellCommand.Shell shell = new ShellCommand.Shell(s, false, new PrintWriter(out, true), new PrintWriter(err, true));
            for (String line : lines) {
                assertTrue(shell.handle(line));
            }
        }
        assertTrue(batch.err().contains("(EBUSY)"), batch.err());
        assertEquals(batch.out(), out.toString());
        assertEquals(batch.err(), err.toString());
    }

    @Test
    void completionOffersVerbsDevicesProgramsPinsAndLinks() throws Exception {
        try (Session s = Session.open("sim")) {
            ShellCommand.Shell shell = new ShellCommand.Shell(s, false, new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()));
            shell.handle("dev add veth0 type veth peer veth1");
            shell.handle("prog load " + OBJ + " mypin name count");
            shell.handle("net attach tcx_ingress name count dev veth1 link pin linkpin as agent");
            assertTrue(shell.candidates(List.of()).containsAll(List.of("dev", "net", "link", "explain", "exit")));
            assertEquals(List.of("attach", "detach", "show", "history"), shell.candidates(List.of("net")));
            List<String> devs = shell.candidates(List.of("net", "show", "dev"));
            assertTrue(devs.size() == 2 && devs.containsAll(List.of("veth0", "veth1")), devs.toString());
            assertTrue(shell.candidates(List.of("net", "attach", "tcx_ingress", "name")).containsAll(List.of("count", "audit")));
            assertTrue(shell.candidates(List.of("net", "attach", "tcx_ingress", "pinned")).containsAll(List.of("mypin", "linkpin")));
            assertTrue(shell.candidates(List.of("link", "update")).contains("agent"));
            assertEquals(List.of("tcx_ingress", "tcx_egress"), shell.candidates(List.of("net", "attach")));
            assertTrue(shell.candidates(List.of("help")).contains("net"));
        }
    }

    @Test
    void theJLineLoopRunsPipedInputOnADumbTerminal() throws Exception {
        String input = "dev add d0\nprog load " + OBJ + " count name count\nnet attach tcx_egress name count dev d0\n"
                + "net show dev d0\nexit\nnet show\n";
        ByteArrayOutputStream terminalOut = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (Session s = Session.open("sim");
             Terminal t = new DumbTerminal("tcxsim-test", "dumb",
                     new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), terminalOut, StandardCharsets.UTF_8)) {
            ShellCommand.Shell shell = new ShellCommand.Shell(s, false, new PrintWriter(out, true), new PrintWriter(err, true));
            LineReader reader = ShellCommand.reader(t, shell);
            assertEquals(0, ShellCommand.loop(reader, shell), err.toString());
            assertTrue(out.toString().matches("(?s).*0: prog id \\d+  name count  plain.*"),
                    "out: " + out + "\nerr: " + err + "\nterminal: " + terminalOut.toString(StandardCharsets.UTF_8));
            assertEquals(1, out.toString().split("d0 \\(ifindex", -1).length - 1, "exit stops the loop: " + out);
            assertTrue(terminalOut.toString(StandardCharsets.UTF_8).contains("tcxsim> "), terminalOut.toString());
            assertEquals(5, reader.getHistory().size(), "four commands and exit");
            assertEquals("exit", reader.getHistory().get(4).toString());
        }
    }
}
