package dev.tcxsim.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Base of the bpftool-style commands ({@code dev}, {@code net}, {@code link}, {@code tc}, ...):
 * the words after the noun are parsed by hand with {@link Words}, because the grammar is
 * keyword-based ({@code before name p1 link}) rather than option-based.
 */
abstract class NounCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Parameters(arity = "0..*", paramLabel = "WORD", description = "The verb and its arguments (see above).")
    List<String> words;

    @Override
    public final Integer call() {
        try {
            run(new Words(words));
            return 0;
        } catch (CliError e) {
            Session s = main.openedSession();
            if (s != null) {
                s.lastError = e;
            }
            main.err().println(e.line());
            main.err().flush();
            return e.errno() == null ? 2 : 1;
        }
    }

    abstract void run(Words w) throws CliError;

    Session session() throws CliError {
        return main.session();
    }

    PrintWriter out() {
        return main.out();
    }

    boolean json() {
        return main.json;
    }

    /** Prints a JSON value when -j is given; returns whether it did. */
    boolean printJson(Object value) {
        if (!json()) {
            return false;
        }
        out().println(Json.write(value));
        return true;
    }

    static CliError unknownVerb(String noun, String verb, String verbs) {
        return new CliError("unknown verb '" + verb + "' for '" + noun + "' (expected one of: " + verbs + ")");
    }
}
