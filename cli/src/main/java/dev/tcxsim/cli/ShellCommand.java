package dev.tcxsim.cli;

import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code tcxsim shell}: a prompt in which one kernel session lives across commands, like a
 * machine you keep typing at: fds, links and names stay until you exit. Line editing, history
 * and tab completion (verbs, devices, programs, pins, links) come from JLine.
 */
@Command(name = "shell", description = {"An interactive prompt: one kernel session across commands (history, tab completion).",
        "  In the shell: any tcxsim command without 'tcxsim', 'help [VERB]', 'exit'. Line history is kept in ~/.tcxsim_history."})
final class ShellCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @Override
    public Integer call() {
        Session s;
        try {
            s = main.session();
        } catch (CliError e) {
            main.err().println(e.line());
            return 1;
        }
        try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
            Shell shell = new Shell(s, main.json, main.out(), main.err());
            main.out().println("tcxsim shell on the " + s.kernel.backend() + " kernel: one session until 'exit'."
                    + " Tab completes, 'help' lists the commands.");
            main.out().flush();
            LineReader reader = reader(terminal, shell);
            String home = System.getProperty("user.home");
            if (home != null && !home.isEmpty()) {
                reader.setVariable(LineReader.HISTORY_FILE, java.nio.file.Path.of(home, ".tcxsim_history"));
                try {
                    reader.getHistory().load();
                } catch (IOException | IllegalArgumentException e) {
                    main.err().println("note: cannot read ~/.tcxsim_history (" + e.getMessage() + "); history starts empty");
                }
            }
            return loop(reader, shell);
        } catch (IOException e) {
            main.err().println("Error: cannot open the terminal: " + e.getMessage());
            return 1;
        }
    }

    /** A line reader with the shell's completion. */
    static LineReader reader(Terminal terminal, Shell shell) {
        return LineReaderBuilder.builder().appName("tcxsim").terminal(terminal)
                .completer((r, line, candidates) -> {
                    List<String> before = line.words().subList(0, line.wordIndex());
                    for (String c : shell.candidates(before)) {
                        candidates.add(new Candidate(c));
                    }
                })
                .build();
    }

    /** Reads lines until exit or end of input; the exit code is 1 if the last command failed. */
    static int loop(LineReader reader, Shell shell) {
        while (true) {
            String line;
            try {
                line = reader.readLine("tcxsim> ");
            } catch (UserInterruptException e) {
                continue; // Ctrl-C drops the line, as in bash
            } catch (EndOfFileException e) {
                return shell.lastCode();
            }
            if (!shell.handle(line)) {
                return shell.lastCode();
            }
        }
    }

    /** The line handler: the same for the interactive prompt and for tests that feed lines. */
    static final class Shell {
        private static final List<String> NOUNS = List.of("dev", "prog", "net", "link", "tc", "map", "packet", "explain",
                "batch", "tour", "doctor", "help", "exit");
        private static final Map<String, List<String>> VERBS = Map.of(
                "dev", List.of("add", "addr", "del", "show"),
                "prog", List.of("load", "show", "run", "dump"),
                "net", List.of("attach", "detach", "show", "history"),
                "link", List.of("show", "update", "detach", "pin", "unpin", "close"),
                "tc", List.of("qdisc", "filter"),
                "map", List.of("lookup", "update", "delete"),
                "packet", List.of("send", "listen"),
                "explain", List.of("net", "link", "EINVAL", "EEXIST", "ENOENT", "ERANGE", "ESTALE", "EBUSY", "EBADF",
                        "ENODEV", "EPERM", "ENOLINK", "ENOSPC"));
        private static final List<String> POSITION = List.of("dev", "before", "after", "replace", "expected_revision", "link");

        private final Session session;
        private final boolean json;
        private final PrintWriter out;
        private final PrintWriter err;
        private final Set<String> pins = new LinkedHashSet<>();
        private int lastCode;

        Shell(Session session, boolean json, PrintWriter out, PrintWriter err) {
            this.session = session;
            this.json = json;
            this.out = out;
            this.err = err;
        }

        int lastCode() {
            return lastCode;
        }

        /** Runs one line; false when the shell should end. */
        boolean handle(String raw) {
            String line = BatchCommand.stripComment(raw).strip();
            if (line.isEmpty()) {
                return true;
            }
            List<String> words;
            try {
                words = BatchCommand.split(line);
            } catch (CliError e) {
                err.println(e.line());
                err.flush();
                lastCode = 2;
                return true;
            }
            String first = words.getFirst();
            if (first.equals("exit") || first.equals("quit")) {
                return false;
            }
            if (first.equals("shell") || first.equals("tcxsim")) {
                err.println("Error: " + (first.equals("shell") ? "you are in the shell already"
                        : "type commands without 'tcxsim' here (e.g. 'net show')"));
                err.flush();
                lastCode = 2;
                return true;
            }
            if (first.equals("help") && words.size() == 1) {
                out.println("commands: " + String.join(", ", NOUNS.subList(0, NOUNS.size() - 2))
                        + "; 'help VERB' shows one, 'exit' leaves (the session ends with the shell)");
                out.flush();
                lastCode = 0;
                return true;
            }
            lastCode = Main.runIn(session, json, out, err, words);
            if (lastCode == 0) {
                rememberPins(words);
            }
            return true;
        }

        private void rememberPins(List<String> words) {
            for (int i = 0; i + 1 < words.size(); i++) {
                String w = words.get(i);
                if (w.equals("pin") || (w.equals("load") && i == 1 && words.getFirst().equals("prog") && i + 2 < words.size())) {
                    pins.add(words.get(w.equals("pin") ? i + 1 : i + 2));
                } else if (words.getFirst().equals("link") && w.equals("pin") && i + 2 < words.size()) {
                    pins.add(words.get(i + 2));
                }
            }
            if (words.size() >= 3 && words.get(0).equals("link") && words.get(1).equals("unpin")) {
                pins.remove(words.get(2));
            }
            if (words.size() >= 3 && words.get(0).equals("link") && words.get(1).equals("pin")) {
                pins.add(words.getLast());
            }
        }

        /** Completions for the word after {@code before}. */
        List<String> candidates(List<String> before) {
            if (before.isEmpty()) {
                return NOUNS;
            }
            String noun = before.getFirst();
            if (before.size() == 1) {
                return noun.equals("help") ? NOUNS.subList(0, NOUNS.size() - 2) : VERBS.getOrDefault(noun, List.of());
            }
            String prev = before.getLast();
            List<String> out = new ArrayList<>();
            switch (prev) {
                case "dev" -> session.kernel.devices().stream().filter(d -> !d.kind().equals("loopback"))
                        .forEach(d -> out.add(d.name()));
                case "name" -> {
                    out.addAll(session.progs.keySet());
                    session.earlierProgs.keySet().stream().filter(n -> !out.contains(n)).forEach(out::add);
                }
                case "pinned", "unpin" -> out.addAll(pins);
                case "link" -> {
                    out.addAll(session.linkNames.keySet());
                    out.addAll(List.of("id", "pinned"));
                }
                case "before", "after", "replace", "old" -> out.addAll(List.of("name", "id", "pinned", "link"));
                case "attach", "detach" -> {
                    if (noun.equals("net")) {
                        out.addAll(List.of("tcx_ingress", "tcx_egress"));
                    } else if (noun.equals("link")) {
                        out.addAll(session.linkNames.keySet());
                        out.addAll(List.of("id", "pinned"));
                    }
                }
                case "tcx_ingress", "tcx_egress" -> out.addAll(List.of("name", "id", "pinned", "dev"));
                case "update", "close", "show" -> {
                    if (noun.equals("link")) {
                        out.addAll(session.linkNames.keySet());
                        out.addAll(List.of("id", "pinned"));
                    } else if (noun.equals("net")) {
                        out.add("dev");
                    }
                }
                case "history" -> out.add("dev");
                default -> {
                    if (noun.equals("net") && before.contains("dev")) {
                        out.addAll(POSITION.subList(1, POSITION.size()));
                    }
                }
            }
            return out;
        }
    }
}
