package dev.tcxsim.cli;

import dev.tcxsim.cli.explain.Errnos;
import dev.tcxsim.cli.explain.HookState;
import dev.tcxsim.cli.explain.Rules;
import dev.tcxsim.cli.explain.TcxRequest;
import dev.tcxsim.tcx.Errno;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tcxsim explain ERRNO} lists every situation in which the tcx API returns that errno;
 * {@code tcxsim explain net attach ...} (or net detach, link update, link detach) runs the command
 * in this session and, if the kernel refuses it, names the rule that did.
 */
@Command(name = "explain", description = {"Why does tcx refuse? The situations behind an errno, or the rule behind a failing command.",
        "  explain ERRNO                       (EBUSY, ebusy or 16)",
        "  explain net attach ...  |  explain net detach ...  |  explain link update ...  |  explain link detach ...",
        "The command runs in this session (on --kernel sim or linux); if it fails, the rule that refused it is named."})
final class ExplainCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Parameters(arity = "1..*", paramLabel = "WORD", description = "An errno, or a command line.")
    List<String> words;

    @Override
    public Integer call() {
        if (words.size() == 1) {
            return errno(words.getFirst());
        }
        String line = String.join(" ", words.subList(0, Math.min(2, words.size())));
        if (!List.of("net attach", "net detach", "link update", "link detach").contains(line)) {
            main.err().println("Error: explain takes an errno (e.g. EBUSY or 16) or one of: net attach ..., net detach ...,"
                    + " link update ..., link detach ...; got '" + String.join(" ", words) + "'");
            return 2;
        }
        Session s;
        try {
            s = main.session();
        } catch (CliError e) {
            main.err().println(e.line());
            return 2;
        }
        int code = Main.runIn(s, main.json, main.out(), main.err(), words, main.recording());
        if (code == 0) {
            main.out().println("ok: the kernel accepted it; nothing to explain");
            return 0;
        }
        if (s.lastError == null) {
            return code; // a usage error, already printed
        }
        main.out().println("why: " + why(s.lastError, s.lastRequest, s.lastBefore));
        if (s.lastBefore != null && s.lastRequest != null) {
            main.out().println("the hook before the attempt: " + s.lastRequest.dev() + " revision " + s.lastBefore.revision()
                    + ": " + s.lastBefore.chainText());
        }
        return code;
    }

    private int errno(String word) {
        Errno e = Errnos.parse(word);
        if (e == null) {
            main.err().println("Error: '" + word + "' is not an errno name or number tcxsim knows (try EBUSY or 16)");
            return 2;
        }
        List<String> situations = Errnos.situations(e);
        main.out().println(e.name() + " (" + e.number() + ", \"" + e.message() + "\")");
        if (situations.isEmpty()) {
            main.out().println("  the tcx attach, detach, query and link calls never return it themselves");
        }
        for (String s : situations) {
            main.out().println("  - " + s);
        }
        return 0;
    }

    /** The one-line reason for a failed command: the tcx rule, or the lookup that failed before the call. */
    static String why(CliError error, TcxRequest request, HookState before) {
        Errno errno = error.errno();
        if (errno == null) {
            return "the command stopped before it reached the kernel: " + error.getMessage();
        }
        String msg = error.getMessage();
        if (msg.startsWith("cannot get program") || msg.startsWith("cannot get link")) {
            return errno.name() + ": the " + (msg.startsWith("cannot get program") ? "program" : "link")
                    + " you named does not exist (" + msg.substring("cannot get ".length())
                    + "): no such id, or nothing pinned at that path — it was freed when its last reference went away.";
        }
        if (msg.startsWith("cannot find device")) {
            return errno.name() + ": " + msg + " in this network namespace, so there is no hook to work on.";
        }
        if (request == null || before == null) {
            List<String> s = Errnos.situations(errno);
            return errno.name() + ": " + (s.isEmpty() ? errno.message() : String.join(" or ", s));
        }
        return Rules.explain(request, before, errno);
    }
}
