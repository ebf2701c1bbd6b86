package dev.tcxsim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tcxsim session reset|show}: the simulator's session file (see {@code --session}). */
@Command(name = "session", description = {"The simulator's session file, which lets separate tcxsim invocations build on each other.",
        "  session reset     start over (creates the file: later invocations in this directory use it)",
        "  session show      the recorded commands, in replay order",
        "The file is --session FILE, default " + SessionFile.DEFAULT + " in the working directory."})
final class SessionCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Parameters(index = "0", paramLabel = "VERB", description = "reset or show")
    String verb;

    @Override
    public Integer call() {
        SessionFile file = new SessionFile(main.sessionPath != null ? main.sessionPath : Path.of(SessionFile.DEFAULT));
        try {
            switch (verb) {
                case "reset" -> {
                    file.reset();
                    main.out().println("session file " + file.path() + " is empty: the next invocation starts from a fresh"
                            + " simulated kernel");
                }
                case "show" -> {
                    List<List<String>> commands = file.commands();
                    main.out().println("session file " + file.path() + ": " + commands.size() + " recorded command"
                            + (commands.size() == 1 ? "" : "s") + " (each replayed as its own process)");
                    for (int i = 0; i < commands.size(); i++) {
                        main.out().println("  " + (i + 1) + ": " + String.join(" ", commands.get(i)));
                    }
                }
                default -> {
                    main.err().println("Error: unknown verb '" + verb + "' for 'session' (expected one of: reset, show)");
                    return 2;
                }
            }
            return 0;
        } catch (CliError e) {
            main.err().println(e.line());
            return 1;
        }
    }
}
