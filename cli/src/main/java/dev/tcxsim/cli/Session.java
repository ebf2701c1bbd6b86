package dev.tcxsim.cli;

import dev.tcxsim.cli.explain.HookState;
import dev.tcxsim.cli.explain.TcxRequest;
import dev.tcxsim.conformance.harness.Backend;
import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.ProgInfo;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One kernel (simulated or real) and the CLI's own process in it, alive for one invocation or for
 * a whole batch file. It remembers the programs and links this session loaded and created, so
 * commands can name them ({@code name NAME}, {@code link id N}).
 */
final class Session implements AutoCloseable {
    final Kernel kernel;
    /** The CLI's process in the kernel; replaced by {@link #endProcess()} between replayed invocations. */
    BpfProcess proc;
    /** The revision history of every hook this session changed ({@code net history}). */
    final HookHistory history = new HookHistory();
    /** The error of the last noun command that failed (read by history and explain), or null. */
    CliError lastError;
    /** The tcx request of the last recorded command (null when it was none) and its hook just before. */
    TcxRequest lastRequest;
    HookState lastBefore;
    /** Program names loaded by earlier processes of this session → program id ({@code name NAME} still works while it lives). */
    final Map<String, Integer> earlierProgs = new LinkedHashMap<>();
    /** Link names of earlier processes → link id. */
    final Map<String, Integer> earlierLinks = new LinkedHashMap<>();
    private int processNumber = 1;
    /** The named namespace this session keeps at exit (--netns), or null. */
    final String netns;
    /** Program name → fd, in load order. */
    final Map<String, Integer> progs = new LinkedHashMap<>();
    /** Map name → fd, for maps of objects this session loaded. */
    final Map<String, Integer> maps = new LinkedHashMap<>();
    /** UDP sockets opened with {@code packet listen}, closed with the session. */
    final Map<String, dev.tcxsim.kernel.UdpSocket> sockets = new LinkedHashMap<>();
    /** Names given with {@code net attach ... link as NAME} → link fd (session-local handles). */
    final Map<String, Integer> linkNames = new LinkedHashMap<>();
    /** Link id → fd of the links this session holds. */
    final Map<Integer, Integer> links = new LinkedHashMap<>();
    /** On the real kernel: the simulator following this session, to predict packets (null: none, or it gave up). */
    Shadow shadow;
    /** Why a real-kernel session has no shadow from the start (null: it has one, or it is the simulator). */
    String noShadowWhy;

    private Session(Kernel kernel, String netns) {
        this.kernel = kernel;
        this.netns = netns;
        this.proc = kernel.process("tcxsim");
    }

    /** A session on the real kernel in the named namespace {@code name} (created if missing, kept at exit). */
    static Session openNamed(String name) throws CliError {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new CliError("bad namespace name '" + name + "' (letters, digits, '_', '.', '-'; at most 63)");
        }
        String why = Backend.LINUX.whyUnavailable();
        if (why != null) {
            throw new CliError("--netns needs the linux kernel, which is not available here: " + why);
        }
        try {
            Session s = new Session(dev.tcxsim.linux.LinuxKernel.openNamed(name), name);
            s.noShadowWhy = "namespace " + name + " keeps state from earlier invocations that the simulator did not see";
            return s;
        } catch (BpfException e) {
            throw CliError.of("cannot open namespace " + name, e);
        }
    }

    /**
     * Process exit and a new process, as between two separate {@code tcxsim} invocations: every fd
     * closes, so links that nothing else holds auto-detach (recorded in the history). Names stay
     * usable while their objects live (looked up again by id). Returns the ids of the links that
     * were auto-detached.
     */
    java.util.List<Integer> endProcess() {
        Map<HookHistory.Key, HookState> before = hooks();
        Map<String, Integer> loaded = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : progs.entrySet()) {
            try {
                loaded.put(e.getKey(), proc.progInfo(e.getValue()).id());
            } catch (BpfException ignored) {
                // closed already: nothing to remember
            }
        }
        for (Map.Entry<String, Integer> e : linkNames.entrySet()) {
            try {
                earlierLinks.put(e.getKey(), proc.linkInfo(e.getValue()).id());
            } catch (BpfException ignored) {
                // closed already
            }
        }
        String who = proc.name();
        if (shadow != null) {
            shadow.endProcess();
        }
        proc.exit();
        progs.clear();
        maps.clear();
        links.clear();
        linkNames.clear();
        processNumber++;
        proc = kernel.process("tcxsim#" + processNumber);
        // A name keeps pointing at a program that still lives: a later load of the same object
        // whose copy died with its process does not hide an earlier copy that is attached or pinned.
        loaded.forEach((name, id) -> {
            Integer earlier = earlierProgs.get(name);
            if (earlier == null || alive(id) || !alive(earlier)) {
                earlierProgs.put(name, id);
            }
        });
        Map<HookHistory.Key, HookState> after = hooks();
        return history.recordExit(before, after, who);
    }

    private boolean alive(int progId) {
        try {
            proc.close(proc.progGetFdById(progId));
            return true;
        } catch (BpfException e) {
            return false;
        }
    }

    /** Every tcx hook of every device but loopback, queried now (for history and explain). */
    Map<HookHistory.Key, HookState> hooks() {
        Map<HookHistory.Key, HookState> all = new LinkedHashMap<>();
        for (dev.tcxsim.kernel.DeviceInfo d : kernel.devices()) {
            if (d.kind().equals("loopback")) {
                continue;
            }
            for (int type : new int[] {dev.tcxsim.kernel.Uapi.BPF_TCX_INGRESS, dev.tcxsim.kernel.Uapi.BPF_TCX_EGRESS}) {
                try {
                    all.put(new HookHistory.Key(d.name(), type),
                            HookState.query(proc, d.ifindex(), type, this::progName));
                } catch (BpfException e) {
                    // a device that vanished between listing and query: leave it out
                }
            }
        }
        return all;
    }

    /** The hook {@code dev}/{@code type} now ({@link HookState#ABSENT} without the device). */
    HookState hook(String device, int type) {
        try {
            return HookState.query(proc, kernel.ifindex(device), type, this::progName);
        } catch (BpfException e) {
            return HookState.ABSENT;
        }
    }

    static Session open(String backend) throws CliError {
        Backend b = switch (backend.toLowerCase(Locale.ROOT)) {
            case "sim" -> Backend.SIM;
            case "linux" -> Backend.LINUX;
            default -> throw new CliError("unknown kernel '" + backend + "' (sim or linux)");
        };
        String why = b.whyUnavailable();
        if (why != null) {
            throw new CliError("the " + b.label() + " kernel is not available here: " + why);
        }
        Session s = new Session(b.open(), null);
        if (b == Backend.LINUX) {
            s.shadow = Shadow.start();
            if (s.shadow == null) {
                s.noShadowWhy = "the simulator could not be opened";
            }
        }
        return s;
    }

    /** Replays a command that succeeded here into the shadow simulator; drops the shadow when it cannot follow. */
    void shadowFollow(java.util.List<String> line, java.io.PrintWriter err) {
        if (shadow != null && !shadow.follow(line, err)) {
            stopShadow();
        }
    }

    /** No more predictions in this session. */
    void stopShadow() {
        if (shadow != null) {
            shadow.close();
            shadow = null;
        }
    }

    /** {@code id N | pinned PATH | name NAME}: an fd for that program (owned by this session). */
    int prog(Words w) throws CliError {
        String how = w.next("a program (id N | pinned PATH | name NAME)");
        try {
            return switch (how) {
                case "id" -> proc.progGetFdById(w.nextInt("program id"));
                case "pinned" -> proc.objGet(w.next("a pin path"));
                case "name" -> {
                    String name = w.next("a program name");
                    Integer fd = progs.get(name);
                    if (fd == null && earlierProgs.containsKey(name)) {
                        try {
                            fd = proc.progGetFdById(earlierProgs.get(name));
                            progs.put(name, fd);
                        } catch (BpfException e) {
                            throw new CliError("program '" + name + "' (id " + earlierProgs.get(name) + ") was loaded by an"
                                    + " earlier invocation and is gone: nothing held it after that process exited"
                                    + " (pin it, or attach it, to keep it)");
                        }
                    }
                    if (fd == null) {
                        throw new CliError("no program named '" + name + "' in this session (loaded: " + progs.keySet() + ")");
                    }
                    yield fd;
                }
                default -> throw new CliError("expected id, pinned or name to select a program, got '" + how + "'");
            };
        } catch (BpfException e) {
            throw CliError.of("cannot get program " + how, e);
        }
    }

    /** True when {@code word} names a link after the word {@code link}: id, pinned, or a session name. */
    boolean startsLink(String word) {
        return "id".equals(word) || "pinned".equals(word)
                || (word != null && (linkNames.containsKey(word) || earlierLinks.containsKey(word)));
    }

    /** After the word {@code link}: {@code id N | pinned PATH | NAME}: an fd for that link. */
    int link(Words w) throws CliError {
        String how = w.next("a link (link id N | link pinned PATH | link NAME)");
        Integer named = linkNames.get(how);
        if (named != null) {
            return named;
        }
        if (earlierLinks.containsKey(how)) {
            int id = earlierLinks.get(how);
            try {
                int fd = proc.linkGetFdById(id);
                linkNames.put(how, fd);
                links.put(id, fd);
                return fd;
            } catch (BpfException e) {
                throw new CliError("link '" + how + "' (id " + id + ") was created by an earlier invocation and is gone:"
                        + " it was auto-detached when that process exited, because nothing else held it (pin it with"
                        + " 'link pin' or 'net attach ... link pin PATH' to keep it)");
            }
        }
        try {
            return switch (how) {
                case "id" -> {
                    int id = w.nextInt("link id");
                    Integer fd = links.get(id);
                    yield fd != null ? fd : proc.linkGetFdById(id);
                }
                case "pinned" -> proc.objGet(w.next("a pin path"));
                default -> throw new CliError("expected 'id', 'pinned' or a link name after 'link', got '" + how
                        + "'" + (linkNames.isEmpty() ? "" : " (named links: " + linkNames.keySet() + ")"));
            };
        } catch (BpfException e) {
            throw CliError.of("cannot get link " + how, e);
        }
    }

    /** The name of the program with this id, for displays ("?" when it cannot be read). */
    String progName(int id) {
        for (Map.Entry<String, Integer> e : progs.entrySet()) {
            try {
                if (proc.progInfo(e.getValue()).id() == id) {
                    return e.getKey();
                }
            } catch (BpfException ignored) {
                // a closed fd: keep looking
            }
        }
        try {
            int fd = proc.progGetFdById(id);
            try {
                ProgInfo info = proc.progInfo(fd);
                return info.name();
            } finally {
                proc.close(fd);
            }
        } catch (BpfException e) {
            return "?";
        }
    }

    int ifindex(String dev) throws CliError {
        try {
            return kernel.ifindex(dev);
        } catch (BpfException e) {
            throw CliError.of("cannot find device '" + dev + "'", e);
        }
    }

    @Override
    public void close() {
        sockets.values().forEach(dev.tcxsim.kernel.UdpSocket::close);
        stopShadow();
        kernel.close();
    }

    /** The name of the process in history lines. */
    String who() {
        return "process " + proc.name();
    }
}
