package dev.tcxsim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;

/**
 * The {@code tcxsim} command. Subcommands use bpftool's and iproute2's words so that what a user
 * learns here carries over to the real tools. One invocation is one kernel session (a fresh
 * simulated kernel, or a fresh namespace on the real one); {@code batch} runs many commands in one.
 */
@Command(name = "tcxsim", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Simulator and conformance bench for the Linux tcx datapath (tc BPF programs on ingress/egress).",
        subcommands = {DoctorCommand.class, DevCommand.class, ProgCommand.class, NetCommand.class, LinkCommand.class,
                TcCommand.class, BatchCommand.class, PacketCommand.class, MapCommand.class, TourCommand.class, ConformanceCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--kernel", paramLabel = "sim|linux", description = "The kernel to work on (default: ${DEFAULT-VALUE}).")
    String kernelName = "sim";

    @Option(names = {"-j", "--json"}, description = "Print JSON instead of text.")
    boolean json;

    private Session session;
    private final boolean ownsSession;

    public Main() {
        this.ownsSession = true;
    }

    /** A command line that works in an existing session (batch lines). */
    private Main(Session shared, boolean json) {
        this.session = shared;
        this.ownsSession = false;
        this.json = json;
    }

    /** No subcommand: print help. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    Session session() throws CliError {
        if (session == null) {
            session = Session.open(kernelName);
        }
        return session;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
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
    private static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("Error: " + describe(ex));
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            c.getErr().flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("Error: " + (ex instanceof CliError ce ? ce.line().substring("Error: ".length()) : ex.toString()));
            c.getErr().flush();
            return ex instanceof CliError ce && ce.errno() == null ? 2 : 1;
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
        Main main = new Main();
        try {
            return commandLine(main, out, err).execute(args);
        } finally {
            if (main.session != null && main.ownsSession) {
                main.session.close();
            }
            out.flush();
            err.flush();
        }
    }

    /** Runs one command line inside an existing session (for batch files and the shell). */
    static int runIn(Session session, boolean json, PrintWriter out, PrintWriter err, List<String> args) {
        int code = commandLine(new Main(session, json), out, err).execute(args.toArray(String[]::new));
        out.flush();
        err.flush();
        return code;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(out, err, args);
        System.exit(code);
    }
}
