package dev.tcxsim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tcxsim batch file FILE [--continue]}: one command a line, all in one kernel, so fds and
 * links live across lines. Stops at the first failing line unless {@code --continue}.
 */
@Command(name = "batch", description = {"Run commands from a file, one per line ('#' starts a comment), in one kernel session.",
        "  batch file FILE [--continue]"})
final class BatchCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Parameters(index = "0", paramLabel = "file", description = "the word 'file'")
    String fileWord;

    @CommandLine.Parameters(index = "1", paramLabel = "FILE", description = "the batch file ('-' for stdin)")
    String file;

    @CommandLine.Option(names = "--continue", description = "Go on after a failing line.")
    boolean keepGoing;

    @Override
    public Integer call() throws Exception {
        if (!fileWord.equals("file")) {
            main.err().println("Error: expected 'file' after 'batch', got '" + fileWord + "'");
            return 2;
        }
        List<String> lines;
        try {
            lines = file.equals("-") ? new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).lines().toList()
                    : Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            main.err().println("Error: cannot read batch file " + file + ": " + e.getMessage());
            return 1;
        }
        Session session = main.session();
        int failures = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = stripComment(lines.get(i)).strip();
            if (line.isEmpty()) {
                continue;
            }
            List<String> args;
            try {
                args = split(line);
            } catch (CliError e) {
                main.err().println("Error: line " + (i + 1) + ": " + e.getMessage());
                return 2;
            }
            int code;
            if (main.json) {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                code = Main.runIn(session, true, new PrintWriter(out, true), new PrintWriter(err, true), args);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("line", i + 1);
                row.put("command", line);
                row.put("ok", code == 0);
                String errText = err.toString().strip();
                if (code != 0) {
                    row.put("error", errText);
                    int open = errText.lastIndexOf('(');
                    if (open >= 0 && errText.endsWith(")")) {
                        row.put("errno", errText.substring(open + 1, errText.length() - 1));
                    }
                }
                String outText = out.toString().strip();
                if (!outText.isEmpty()) {
                    row.put("output", outText);
                }
                main.out().println(Json.write(row));
            } else {
                code = Main.runIn(session, false, main.out(), main.err(), args);
            }
            if (code != 0) {
                failures++;
                if (!keepGoing) {
                    main.err().println("batch: line " + (i + 1) + " failed: " + line);
                    return code;
                }
            }
        }
        return failures == 0 ? 0 : 1;
    }

    static String stripComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** Splits on white space; double quotes group words. */
    static List<String> split(String line) throws CliError {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (any) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (quoted) {
            throw new CliError("unterminated quote");
        }
        if (any) {
            words.add(cur.toString());
        }
        return words;
    }
}
