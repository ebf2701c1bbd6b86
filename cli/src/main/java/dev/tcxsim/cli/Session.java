package dev.tcxsim.cli;

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
    final BpfProcess proc;
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

    private Session(Kernel kernel) {
        this.kernel = kernel;
        this.proc = kernel.process("tcxsim");
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
        return new Session(b.open());
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
        return "id".equals(word) || "pinned".equals(word) || (word != null && linkNames.containsKey(word));
    }

    /** After the word {@code link}: {@code id N | pinned PATH | NAME}: an fd for that link. */
    int link(Words w) throws CliError {
        String how = w.next("a link (link id N | link pinned PATH | link NAME)");
        Integer named = linkNames.get(how);
        if (named != null) {
            return named;
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
        kernel.close();
    }
}
