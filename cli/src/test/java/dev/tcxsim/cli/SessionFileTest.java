package dev.tcxsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tcxsim.cli.ExplainCommandTest.OBJ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Separate invocations with a session file against the same lines in one batch file: equal where
 * the kernel makes them equal, different exactly where a process exit auto-detaches a link.
 */
class SessionFileTest {
    @TempDir
    Path dir;

    private MainTest.Run invoke(Path session, String line) throws CliError {
        List<String> args = new ArrayList<>(List.of("--session=" + session));
        args.addAll(BatchCommand.split(line));
        return MainTest.run(args.toArray(String[]::new));
    }

    /** Runs the lines one invocation each; returns the output of the last. */
    private String separately(Path session, List<String> lines) throws CliError {
        MainTest.Run last = null;
        for (String line : lines) {
            last = invoke(session, line);
            assertEquals(0, last.code(), line + ": " + last.err());
        }
        return last.out();
    }

    /** Runs the lines as one batch file; returns the output of the batch. */
    private String batch(List<String> lines) throws IOException {
        Path file = Files.writeString(dir.resolve("b" + System.nanoTime() + ".tcx"), String.join("\n", lines) + "\n");
        MainTest.Run r = MainTest.run("batch", "file", file.toString());
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    private static String lastShow(String out) {
        return out.substring(out.lastIndexOf("veth1 (ifindex"));
    }

    @Test
    void pinnedLinksAndPlainAttachmentsGiveTheSameStateAsOneBatch() throws Exception {
        List<String> lines = List.of(
                "dev add veth0 type veth peer veth1",
                "prog load " + OBJ + " count name count",
                "net attach tcx_ingress name count dev veth1 link pin keep as keeper",
                "prog load " + OBJ + " audit name audit",
                "net attach tcx_ingress pinned count dev veth0",
                "tc qdisc add dev veth1 clsact",
                "net attach tcx_ingress pinned audit dev veth1 before link keeper expected_revision 2",
                "net show dev veth1");
        Path session = dir.resolve("s1");
        String sep = separately(session, lines);
        String one = batch(lines);
        assertTrue(sep.contains("count 1") || sep.contains("count 2"), sep);
        assertEquals(lastShow(one), lastShow(sep));
        assertFalse(sep.contains("auto-detached"), sep);
        // read-only commands see the state but are not recorded
        MainTest.Run show = MainTest.run("--session=" + session, "session", "show");
        assertTrue(show.out().contains("7 recorded commands"), show.out());
        assertFalse(show.out().contains("net show"), show.out());
    }

    @Test
    void anUnpinnedLinkDiesWithItsInvocationButLivesInABatch() throws Exception {
        List<String> lines = List.of(
                "dev add veth0 type veth peer veth1",
                "prog load " + OBJ + " count name count",
                "net attach tcx_ingress name count dev veth1 link as agent",
                "net show dev veth1");
        Path session = dir.resolve("s2");
        String one = batch(lines);
        assertTrue(lastShow(one).contains("count 1"), one);

        invoke(session, lines.get(0));
        invoke(session, lines.get(1));
        MainTest.Run create = invoke(session, lines.get(2));
        assertEquals(0, create.code(), create.err());
        assertTrue(create.out().contains("note: link 1 was auto-detached when this tcxsim invocation exited"), create.out());
        assertTrue(create.out().contains("each tcxsim invocation is its own process"), create.out());
        assertTrue(create.out().contains("link pin PATH"), create.out());
        String show = invoke(session, lines.get(3)).out();
        assertTrue(lastShow(show).contains("tcx_ingress  revision 1  count 0"), show);

        // the lesson is told once per session file; the short note every time
        MainTest.Run again = invoke(session, "net attach tcx_ingress name count dev veth1 link");
        assertTrue(again.out().contains("was auto-detached"), again.out());
        assertFalse(again.out().contains("each tcxsim invocation is its own process"), again.out());

        // the history tells the same story across invocations
        String history = invoke(session, "net history dev veth1").out();
        assertTrue(history.contains("link auto-detach (process exit)"), history);
        // a later command can no longer use the link's name: it is gone, and says why
        MainTest.Run update = invoke(session, "link update link agent name allow");
        assertEquals(2, update.code());
        assertTrue(update.err().contains("auto-detached when that process exited"), update.err());
    }

    @Test
    void resetStartsOverAndBadUseIsRefused() throws Exception {
        Path session = dir.resolve("s3");
        assertEquals(0, invoke(session, "dev add d0").code());
        assertEquals(1, invoke(session, "dev add d0").code(), "replayed d0 exists already: EEXIST");
        assertEquals(0, MainTest.run("--session=" + session, "session", "reset").code());
        assertEquals(0, invoke(session, "dev add d0").code());

        MainTest.Run linux = MainTest.run("--kernel", "linux", "--session=" + session, "dev", "show");
        assertEquals(2, linux.code());
        assertTrue(linux.err().contains("--session is only for --kernel sim"), linux.err());

        MainTest.Run shell = MainTest.run("--session=" + session, "batch", "file", "-");
        assertEquals(2, shell.code());
        assertTrue(shell.err().contains("--session works with dev, prog, net"), shell.err());

        // explain runs its command in the session file's state, and records it when it succeeds
        MainTest.Run explained = invoke(session, "explain net detach tcx_ingress dev d0");
        assertTrue(explained.out().contains("why: ENOENT: nothing is attached at d0 tcx_ingress"), explained.out());

        Files.writeString(session, "dev add d0\ndev frob d1\n");
        MainTest.Run broken = invoke(session, "dev show");
        assertTrue(broken.code() != 0, broken.out());
        assertTrue(broken.err().contains("recorded command 2 'dev frob d1' no longer succeeds"), broken.err());
        assertTrue(broken.err().contains("session reset"), broken.err());
    }
}
