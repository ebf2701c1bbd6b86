package dev.tcxsim.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulator's memory between separate {@code tcxsim} invocations: a text file with one
 * successful state-changing command a line. Each invocation replays it into a fresh simulated
 * kernel, silently and deterministically, one process per recorded line (so links that a line
 * created without pinning auto-detach at the end of it, as when that invocation exited), then
 * runs its own command in one more process.
 */
final class SessionFile {
    static final String DEFAULT = ".tcxsim-session";
    private static final String HEADER = "# tcxsim session file: one recorded command a line (tcxsim session reset starts over)";
    private static final String NOTED = "#! auto-detach explained";

    private final Path path;

    SessionFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** Whether a noun command changes kernel state (and so is recorded and wrapped for history). */
    static boolean changesState(String noun, List<String> words) {
        String verb = words == null || words.isEmpty() ? "" : words.getFirst();
        return switch (noun) {
            case "dev" -> verb.equals("add") || verb.equals("addr") || verb.equals("del");
            case "prog" -> verb.equals("load");
            case "net" -> verb.equals("attach") || verb.equals("detach");
            case "link" -> List.of("update", "detach", "pin", "unpin", "close").contains(verb);
            case "tc" -> !words.contains("show") && !words.isEmpty();
            case "map" -> verb.equals("update") || verb.equals("delete");
            default -> false;
        };
    }

    /** The recorded command lines, as words (noun first). */
    List<List<String>> commands() throws CliError {
        List<List<String>> out = new ArrayList<>();
        if (!Files.exists(path)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new CliError("cannot read session file " + path + ": " + e.getMessage());
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                out.add(BatchCommand.split(line));
            } catch (CliError e) {
                throw new CliError("session file " + path + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** Runs every recorded command in {@code s}, each in its own process; fails if one no longer succeeds. */
    void replay(Session s) throws CliError {
        List<List<String>> commands = commands();
        Writer sink = Writer.nullWriter();
        for (int i = 0; i < commands.size(); i++) {
            StringWriter err = new StringWriter();
            int code = Main.runIn(s, false, new PrintWriter(sink), new PrintWriter(err), commands.get(i));
            if (code != 0) {
                throw new CliError("session file " + path + ": recorded command " + (i + 1) + " '"
                        + String.join(" ", commands.get(i)) + "' no longer succeeds (" + err.toString().strip()
                        + "); 'tcxsim session reset' starts over");
            }
            s.endProcess();
        }
    }

    /** Records a command that succeeded (relative object paths made absolute, so replay works from anywhere). */
    void append(List<String> words) throws CliError {
        List<String> w = new ArrayList<>(words);
        if (w.size() > 2 && w.get(0).equals("prog") && w.get(1).equals("load")) {
            w.set(2, Path.of(w.get(2)).toAbsolutePath().normalize().toString());
        }
        StringBuilder line = new StringBuilder();
        for (String word : w) {
            if (word.contains("\"") || word.contains("#") || word.contains("\n")) {
                throw new CliError("cannot record '" + word + "' in the session file (quotes, '#' and newlines are not kept)");
            }
            line.append(line.isEmpty() ? "" : " ")
                    .append(word.isEmpty() || word.chars().anyMatch(Character::isWhitespace) ? "\"" + word + "\"" : word);
        }
        try {
            if (!Files.exists(path)) {
                Files.writeString(path, HEADER + "\n");
            }
            Files.writeString(path, line + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new CliError("cannot write session file " + path + ": " + e.getMessage());
        }
    }

    /** Empties the file (keeps it, so the default file keeps being used). */
    void reset() throws CliError {
        try {
            Files.writeString(path, HEADER + "\n");
        } catch (IOException e) {
            throw new CliError("cannot write session file " + path + ": " + e.getMessage());
        }
    }

    private boolean noted() {
        try {
            return Files.exists(path) && Files.readAllLines(path).contains(NOTED);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The end of this invocation's process: its links that nothing else holds auto-detach. Says so,
     * and the first time in this session file, why and how to keep a link.
     */
    void endInvocation(Session s, PrintWriter out) {
        List<Integer> gone = s.endProcess();
        if (gone.isEmpty()) {
            return;
        }
        for (int id : gone) {
            out.println("note: link " + id + " was auto-detached when this tcxsim invocation exited: nothing else held it");
        }
        if (!noted()) {
            out.println("note: each tcxsim invocation is its own process, and a BPF link lives only as long as something"
                    + " holds it. When the process exits its fds close, so a link that is not pinned is detached at once,"
                    + " exactly as on the kernel. To keep one, pin it when you create it:"
                    + " 'net attach ... link pin PATH' (or use 'tcxsim shell' or a batch file, where one process lives on).");
            try {
                if (Files.exists(path)) {
                    Files.writeString(path, NOTED + "\n", StandardOpenOption.APPEND);
                }
            } catch (IOException e) {
                out.println("note: cannot write session file " + path + ": " + e.getMessage());
            }
        }
        out.flush();
    }
}
