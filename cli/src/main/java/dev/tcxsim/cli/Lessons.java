package dev.tcxsim.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The guided tour's lessons: the batch scripts under {@code examples/}, run line by line with
 * each command echoed before its output, errors included, so the output reads like a session at
 * a terminal. {@code tcxsim tour} prints it; a test compares it with the committed golden files.
 */
final class Lessons {
    private Lessons() {
    }

    /** The repository root: {@code -Dtcxsim.root} (the launcher sets it), else the working directory. */
    static Path root() {
        return Path.of(System.getProperty("tcxsim.root", ".")).toAbsolutePath().normalize();
    }

    /** examples/NN-*.tcx in order. */
    static List<Path> scripts(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("examples"))) {
            return files.filter(p -> p.getFileName().toString().matches("\\d\\d-.*\\.tcx")).sorted().toList();
        }
    }

    /**
     * Runs one lesson in a fresh session of {@code kernel} and returns what a user would see:
     * comments as text, each command after "$ tcxsim ", then its output and errors. Failing
     * commands do not stop a lesson (some fail on purpose).
     */
    static String run(Path root, Path script, String kernel) throws IOException, CliError {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text, true);
        try (Session session = Session.open(kernel)) {
            for (String raw : Files.readAllLines(script)) {
                String line = raw.strip();
                if (line.isEmpty()) {
                    out.println();
                    continue;
                }
                if (line.startsWith("#")) {
                    out.println(line);
                    continue;
                }
                out.println("$ tcxsim " + line);
                String resolved = line.replace(" examples/", " " + root.resolve("examples") + "/");
                Main.runIn(session, false, out, out, BatchCommand.split(resolved));
            }
        }
        out.flush();
        return text.toString();
    }
}
