package dev.tcxsim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code tcxsim} command. Subcommands use bpftool's and iproute2's words so that what a user
 * learns here carries over to the real tools.
 */
@Command(name = "tcxsim", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Simulator and conformance bench for the Linux tcx datapath (tc BPF programs on ingress/egress).",
        subcommands = {DoctorCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** No subcommand: print help. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"tcxsim " + (v == null ? "(development build)" : v),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
        }
    }

    /** Builds the command line with tcxsim's error conventions: one line, a hint, exit code 2. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("Error: " + describe(ex));
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            c.getErr().flush();
            return 2;
        });
        return cl;
    }

    /** One line naming the bad word: "unknown command 'frobnicate'" rather than picocli's index talk. */
    static String describe(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String word = u.getUnmatched().getFirst();
            String what = word.startsWith("-") ? "unknown option" : "unknown command or argument";
            var suggestions = u.getSuggestions();
            return what + " '" + word + "'" + (suggestions.isEmpty() ? "" : " (did you mean " + String.join(" or ", suggestions) + "?)");
        }
        return ex.getMessage();
    }

    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
