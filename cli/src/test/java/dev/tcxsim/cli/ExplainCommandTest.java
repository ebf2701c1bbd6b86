package dev.tcxsim.cli;

import dev.tcxsim.cli.explain.HookState;
import dev.tcxsim.cli.explain.Rules;
import dev.tcxsim.cli.explain.TcxRequest;
import dev.tcxsim.conformance.harness.Backend;
import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.tcx.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Triggers every errno of the tcx attach, detach, query and link API, on the simulator and (as
 * root on Linux >= 6.6) on the real kernel, and checks that explain names the rule that refused it.
 */
class ExplainCommandTest {
    static final String OBJ = Path.of("..", "examples", "progs", "lessons.o").toAbsolutePath().normalize().toString();

    record Out(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Out run(Session s, String line) throws CliError {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.runIn(s, false, new PrintWriter(out, true), new PrintWriter(err, true), BatchCommand.split(line));
        return new Out(code, out.toString(), err.toString());
    }

    static Out ok(Session s, String line) throws CliError {
        Out o = run(s, line);
        assertEquals(0, o.code(), line + " failed: " + o.all());
        return o;
    }

    /** Runs {@code explain LINE}, expects the errno and returns the 'why' text. */
    static String why(Session s, String line, Errno expected) throws CliError {
        Out o = run(s, "explain " + line);
        assertEquals(1, o.code(), line + ": " + o.all());
        assertTrue(o.err().contains("(" + expected.name() + ")"), line + " should fail with " + expected + ": " + o.all());
        String why = o.out().lines().filter(l -> l.startsWith("why: ")).findFirst().orElseThrow(() -> new AssertionError(o.all()));
        assertTrue(why.startsWith("why: " + expected.name() + ": "), why);
        return why;
    }

    static void assumeKernel(String kernel) {
        if (kernel.equals("linux")) {
            assumeTrue(Backend.LINUX.whyUnavailable() == null, "the linux kernel backend is not available here");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sim", "linux"})
    void everyTcxErrnoFromTheCommandLineIsExplained(String kernel) throws Exception {
        assumeKernel(kernel);
        Set<Errno> seen = EnumSet.noneOf(Errno.class);
        try (Session s = Session.open(kernel)) {
            ok(s, "dev add veth0 type veth peer veth1");
            ok(s, "prog load " + OBJ + " count name count");
            ok(s, "net attach tcx_ingress name count dev veth1 link as agent");
            ok(s, "net attach tcx_ingress name audit dev veth1 before link agent");

            String w = why(s, "net attach tcx_ingress name deny dev veth1 replace name count", Errno.EBUSY);
            assertTrue(w.contains("owned by link") && w.contains("link update"), w);
            seen.add(Errno.EBUSY);
            w = why(s, "net detach tcx_ingress dev veth1", Errno.EBUSY);
            assertTrue(w.contains("plain detach cannot remove a link's program"), w);

            w = why(s, "net attach tcx_ingress name audit dev veth1", Errno.EEXIST);
            assertTrue(w.contains("already attached") && w.contains("position 0"), w);
            seen.add(Errno.EEXIST);

            w = why(s, "net attach tcx_ingress name deny dev veth1 before name allow", Errno.ENOENT);
            assertTrue(w.contains("relative object") && w.contains("is not attached at veth1 tcx_ingress"), w);
            seen.add(Errno.ENOENT);
            w = why(s, "net attach tcx_ingress name deny dev veth1 link replace name count", Errno.ENOENT);
            assertTrue(w.contains("link create has no old program"), w);

            w = why(s, "net attach tcx_ingress name deny dev veth1 before name audit after name count", Errno.ERANGE);
            assertTrue(w.contains("BEFORE and AFTER were given together"), w);
            seen.add(Errno.ERANGE);

            w = why(s, "net attach tcx_ingress name deny dev veth1 replace name audit after name count", Errno.ERANGE);
            assertTrue(w.contains("REPLACE names the program at position 0") && w.contains("directly behind program id"), w);

            w = why(s, "net attach tcx_ingress name deny dev veth1 expected_revision 2", Errno.ESTALE);
            assertTrue(w.contains("expected_revision 2 but the hook is at revision 3"), w);
            seen.add(Errno.ESTALE);

            w = why(s, "net detach tcx_ingress name audit dev veth1 replace name audit", Errno.EINVAL);
            assertTrue(w.contains("detach does not take REPLACE"), w);
            seen.add(Errno.EINVAL);

            w = why(s, "net attach tcx_ingress id 2000000000 dev veth1", Errno.ENOENT);
            assertTrue(w.contains("the program you named does not exist"), w);

            w = why(s, "net attach tcx_ingress name deny dev nosuch0", Errno.ENODEV);
            assertTrue(w.contains("nosuch0"), w);
            seen.add(Errno.ENODEV);

            w = why(s, "link update link agent name allow old name audit", Errno.EPERM);
            assertTrue(w.contains("not the link's current program"), w);
            seen.add(Errno.EPERM);

            w = why(s, "link update link agent name audit", Errno.EEXIST);
            assertTrue(w.contains("new program") && w.contains("already attached"), w);

            ok(s, "link detach link agent");
            w = why(s, "link update link agent name allow", Errno.ENOLINK);
            assertTrue(w.contains("defunct"), w);
            seen.add(Errno.ENOLINK);

            // EBADF, and ENODEV below the CLI's own lookup: bpf(2) called directly, then explained.
            int ifindex = s.kernel.ifindex("veth1");
            HookState before = s.hook("veth1", Uapi.BPF_TCX_INGRESS);
            BpfException e = assertThrows(BpfException.class,
                    () -> s.proc.progAttach(ifindex, Uapi.BPF_TCX_INGRESS, 999, 0, 0, 0, 0));
            assertEquals(Errno.EBADF, e.errno());
            w = Rules.explain(TcxRequest.of(TcxRequest.Op.PROG_ATTACH, "veth1", Uapi.BPF_TCX_INGRESS), before, e.errno());
            assertTrue(w.startsWith("EBADF: ") && w.contains("not open"), w);
            seen.add(Errno.EBADF);

            // ENOSPC: a query buffer for one entry with two programs attached.
            ok(s, "net attach tcx_ingress name deny dev veth1");
            QueryResult q = s.proc.progQuery(ifindex, Uapi.BPF_TCX_INGRESS, 0, 1);
            assertEquals(Errno.ENOSPC.number(), q.errno());
            w = Rules.explain(TcxRequest.of(TcxRequest.Op.PROG_QUERY, "veth1", Uapi.BPF_TCX_INGRESS).withQueryCount(1),
                    s.hook("veth1", Uapi.BPF_TCX_INGRESS), Errno.ENOSPC);
            assertTrue(w.contains("room for 1 entries") && w.contains("holds 2 programs"), w);
            seen.add(Errno.ENOSPC);
        }
        assertEquals(EnumSet.of(Errno.EINVAL, Errno.EEXIST, Errno.ENOENT, Errno.ERANGE, Errno.ESTALE, Errno.EBUSY,
                Errno.EBADF, Errno.ENODEV, Errno.EPERM, Errno.ENOLINK, Errno.ENOSPC), seen);
    }

    @Test
    void aFullChainIsExplainedAsTheSixtyThreeLimit() throws Exception {
        try (Session s = Session.open("sim")) {
            ok(s, "dev add d0");
            ok(s, "prog load " + OBJ + " count name count");
            int ifindex = s.kernel.ifindex("d0");
            List<Integer> fds = new ArrayList<>();
            var object = ProgCommand.parse(OBJ);
            while (fds.size() < Rules.MAX_PROGS) {
                fds.addAll(s.proc.loadObject(object).progFds().values());
            }
            for (int fd : fds.subList(0, Rules.MAX_PROGS)) {
                s.proc.progAttach(ifindex, Uapi.BPF_TCX_INGRESS, fd, 0, 0, 0, 0);
            }
            String w = why(s, "net attach tcx_ingress name count dev d0", Errno.ERANGE);
            assertTrue(w.contains("the chain is full") && w.contains("63"), w);
            // the kernel's quirk: 'detach the last one' without naming it computes index 63 on a full hook
            w = why(s, "net detach tcx_ingress dev d0", Errno.ERANGE);
            assertTrue(w.contains("one past the limit") && w.contains("name the program instead"), w);
            // a replace still works at capacity
            int last = s.proc.progInfo(fds.get(Rules.MAX_PROGS - 1)).id();
            ok(s, "explain net attach tcx_ingress name count dev d0 replace id " + last);
        }
    }

    @Test
    void explainErrnoListsTheSituationsByNameOrNumber() {
        MainTest.Run r = MainTest.run("explain", "EBUSY");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("EBUSY (16,"), r.out());
        assertTrue(r.out().contains("plain detach selects a slot owned by a link"), r.out());
        assertEquals(r.out(), MainTest.run("explain", "16").out());
        assertTrue(MainTest.run("explain", "estale").out().contains("expected_revision"));
        for (String errno : List.of("EINVAL", "EEXIST", "ENOENT", "ERANGE", "ESTALE", "EBADF", "ENODEV", "EPERM",
                "ENOLINK", "ENOSPC")) {
            MainTest.Run e = MainTest.run("explain", errno);
            assertTrue(e.out().lines().filter(l -> l.startsWith("  - ")).count() >= 1, errno + ": " + e.out());
        }
    }

    @Test
    void badExplainInputIsOneClearError() {
        MainTest.Run r = MainTest.run("explain", "EFROB");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'EFROB' is not an errno"), r.err());
        r = MainTest.run("explain", "dev", "add", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("explain takes an errno"), r.err());
    }

    @Test
    void aCommandThatSucceedsHasNothingToExplain() throws Exception {
        try (Session s = Session.open("sim")) {
            ok(s, "dev add d0");
            ok(s, "prog load " + OBJ + " count name count");
            Out o = ok(s, "explain net attach tcx_egress name count dev d0");
            assertTrue(o.out().contains("nothing to explain"), o.out());
            assertFalse(o.out().contains("why:"), o.out());
        }
    }
}
