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
                TcCommand.class, BatchCommand.class, PacketCommand.class, MapCommand.class, TourCommand.class, VmPluginCommand.class, ConformanceCommand.class,
                ExplainCommand.class, ShellCommand.class, SessionCommand.class, NetnsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--kernel", paramLabel = "sim|linux", description = "The kernel to work on (default: ${DEFAULT-VALUE}).")
    String kernelName = "sim";

    @Option(names = {"-j", "--json"}, description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--session", arity = "0..1", paramLabel = "FILE", fallbackValue = SessionFile.DEFAULT,
            description = {"Simulator only: replay the state-changing commands recorded in FILE, run this one, and record it"
                    + " if it succeeds, so separate invocations build on each other (default FILE: " + SessionFile.DEFAULT
                    + "; used automatically when that file exists). Recorded: dev add/addr/del, prog load, net attach/detach,"
                    + " link update/detach/pin/unpin/close, tc qdisc/filter changes, map update/delete.",
                    "Each invocation is its own process: a link it created and did not pin is auto-detached when it exits."})
    java.nio.file.Path sessionPath;

    @Option(names = "--netns", paramLabel = "NAME", description = "Linux kernel only: work in the named network namespace"
            + " (created if missing) and keep it at exit; 'tcxsim netns del NAME' removes it.")
    String netns;

    @Option(names = "--btf", paramLabel = "FILE", description = "CO-RE target: relocate against this kernel BTF"
            + " (default: /sys/kernel/btf/vmlinux, else the shipped Linux 6.18 x86_64 BTF), as bpf_object_open_opts.btf_custom_path.")
    java.nio.file.Path btfPath;

    @Option(names = "--kconfig", paramLabel = "FILE", description = "Values of __kconfig externs from a kernel .config"
            + " (or /proc/config.gz), as bpf_object_open_opts.kconfig.")
    java.nio.file.Path kconfigPath;

    @Option(names = "--object-name", paramLabel = "NAME", description = "Name objects NAME instead of after their file.")
    String objectName;

    @Option(names = "--pin-root-path", paramLabel = "DIR", description = "Where maps pinned by name go (default /sys/fs/bpf).")
    String pinRootPath;

    private Session session;
    private final boolean ownsSession;
    /** Where successful state-changing commands are recorded (null: nowhere). */
    private SessionFile recording;
    /** Whether the command being run works on the session file's state (set by the execution strategy). */
    private boolean sessionCommand;

    public Main() {
        this.ownsSession = true;
    }

    /** A command line that works in an existing session (batch lines, shell, explain, replay). */
    private Main(Session shared, boolean json, SessionFile recording) {
        this.session = shared;
        this.ownsSession = false;
        this.json = json;
        this.recording = recording;
    }

    /** No subcommand: print help. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** bpf_object_open_opts of this invocation, from --btf, --kconfig, --object-name and --pin-root-path. */
    private dev.tcxsim.vm.elf.LoadOptions openOptions() throws CliError {
        dev.tcxsim.vm.elf.LoadOptions o = dev.tcxsim.vm.elf.LoadOptions.DEFAULTS;
        if (btfPath != null) {
            try {
                o = o.withTargetBtf(dev.tcxsim.vm.btf.TargetBtf.load(btfPath));
            } catch (java.io.IOException | dev.tcxsim.vm.btf.BtfFormatException | RuntimeException e) {
                throw new CliError("cannot read --btf " + btfPath + ": " + e.getMessage());
            }
        }
        if (kconfigPath != null) {
            try {
                o = o.withKconfig(dev.tcxsim.vm.elf.Kconfig.read(kconfigPath));
            } catch (java.io.IOException | RuntimeException e) {
                throw new CliError("cannot read --kconfig " + kconfigPath + ": " + e.getMessage());
            }
        }
        if (objectName != null) {
            o = o.withObjectName(objectName);
        }
        if (pinRootPath != null) {
            o = o.withPinRootPath(pinRootPath);
        }
        return o;
    }

    Session session() throws CliError {
        if (session == null) {
            if (ownsSession) {
                ProgCommand.openOptions = openOptions(); // once per invocation; batch lines and the shell keep it
            }
            if (netns != null) {
                if (!kernelName.equals("linux")) {
                    throw new CliError("--netns works only with --kernel linux (the simulator has no named namespaces;"
                            + " use --session FILE there)");
                }
                session = Session.openNamed(netns);
                return session;
            }
            SessionFile file = sessionFile();
            Session s = Session.open(kernelName);
            if (file != null) {
                try {
                    file.replay(s);
                } catch (CliError e) {
                    s.close();
                    throw e;
                }
                recording = file;
            }
            session = s;
        }
        return session;
    }

    /** The session if one is open (never opens one). */
    Session openedSession() {
        return session;
    }

    /** The session file this invocation uses, or null. */
    private SessionFile sessionFile() throws CliError {
        if (!ownsSession || !sessionCommand) {
            return null;
        }
        if (sessionPath != null) {
            if (!kernelName.equals("sim")) {
                throw new CliError("--session is only for --kernel sim (on the real kernel, keep state in a namespace with"
                        + " --netns NAME)");
            }
            return new SessionFile(sessionPath);
        }
        java.nio.file.Path dflt = java.nio.file.Path.of(SessionFile.DEFAULT);
        return kernelName.equals("sim") && java.nio.file.Files.isRegularFile(dflt) ? new SessionFile(dflt) : null;
    }

    /** The session file commands are recorded in, or null. */
    SessionFile recording() {
        return recording;
    }

    /** Nouns whose commands see (and may add to) the session file's state. */
    private static final java.util.Set<String> SESSION_NOUNS = java.util.Set.of("dev", "prog", "net", "link", "tc", "map",
            "packet", "explain");

    /**
     * Runs the parsed command. Commands that can change a tcx hook are wrapped: every hook is queried
     * before and after, so {@code net history} and {@code explain} know what happened and why.
     */
    private int executeRecorded(CommandLine.ParseResult pr) {
        CommandLine.ParseResult sub = pr.subcommand();
        if (sub != null && SESSION_NOUNS.contains(sub.commandSpec().name())) {
            sessionCommand = true;
        } else if (sub != null && sessionPath != null && ownsSession && !sub.commandSpec().name().equals("session")) {
            err().println("Error: --session works with dev, prog, net, link, tc, map, packet and explain commands, not '"
                    + sub.commandSpec().name() + "' (batch files and the shell keep one session by themselves)");
            err().flush();
            return 2;
        }
        if (sub == null || !(sub.commandSpec().userObject() instanceof NounCommand nc)
                || !SessionFile.changesState(sub.commandSpec().name(), nc.words)) {
            return new CommandLine.RunLast().execute(pr);
        }
        Session s;
        try {
            s = session();
        } catch (CliError e) {
            return new CommandLine.RunLast().execute(pr); // the command reports the same error itself
        }
        List<String> line = new java.util.ArrayList<>();
        line.add(sub.commandSpec().name());
        line.addAll(nc.words);
        s.lastRequest = TcxRequests.parse(s, line);
        s.lastBefore = s.lastRequest == null ? null : s.hook(s.lastRequest.dev(), s.lastRequest.attachType());
        var before = s.hooks();
        s.lastError = null;
        int code = new CommandLine.RunLast().execute(pr);
        String command = String.join(" ", line);
        String verb = line.size() > 1 ? line.get(1) : "";
        s.history.recordCommand(before, s.hooks(), line.get(0), verb, s.who(), command);
        if (s.lastError != null && s.lastError.errno() != null && s.lastRequest != null) {
            var r = s.lastRequest;
            s.history.recordFailure(new HookHistory.Key(r.dev(), r.attachType()), r.op().word(), s.who(), s.lastBefore,
                    s.lastError.errno(), ExplainCommand.why(s.lastError, r, s.lastBefore), command);
        }
        if (code == 0) {
            s.shadowFollow(line, err());
        }
        if (code == 0 && recording != null) {
            try {
                recording.append(line);
            } catch (CliError e) {
                err().println(e.line());
                return 1;
            }
        }
        return code;
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
        cl.setExecutionStrategy(main::executeRecorded);
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
            int code = commandLine(main, out, err).execute(args);
            if (main.session != null && main.recording != null) {
                main.recording.endInvocation(main.session, out);
            }
            return code;
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
        return runIn(session, json, out, err, args, null);
    }

    /** Like {@link #runIn(Session, boolean, PrintWriter, PrintWriter, List)}, recording successes in {@code recording}. */
    static int runIn(Session session, boolean json, PrintWriter out, PrintWriter err, List<String> args,
                     SessionFile recording) {
        int code = commandLine(new Main(session, json, recording), out, err).execute(args.toArray(String[]::new));
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
