package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.gen.SeededRun;
import dev.tcxsim.conformance.harness.Comparison;
import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.LoadedObjectFds;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Runs the same {@link DiffStep} sequence on two kernels, each fresh, and compares what every step
 * answered, in a backend-neutral form: {@code ok}, an errno name, or {@code skip} (a step naming a
 * link slot that is not open is not issued), followed by the state of the hook the step touched —
 * revision, count and the chain, programs by their lessons.o name and links by their slot name.
 * On a difference the sequence is shrunk (both kernels re-run per candidate) and the failure names
 * the seed, the minimal sequence as a {@code tcxsim batch} script, and both outcomes side by side.
 */
final class DifferentialRunner {
    /** A kernel to compare: a name and a way to open a fresh one. */
    record Side(String name, Supplier<Kernel> open) {
    }

    private final Side left;
    private final Side right;
    private final Path lessons;
    private final BpfObject object;
    private final long[] nanos = new long[2];
    private final java.util.TreeMap<String, Integer> tally = new java.util.TreeMap<>();
    private int sequences;
    private int steps;

    DifferentialRunner(Side left, Side right, Path lessons) {
        this.left = left;
        this.right = right;
        this.lessons = lessons;
        try {
            this.object = ElfLoader.load(lessons);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + lessons + ": " + e.getMessage(), e);
        }
    }

    /** examples/progs/lessons.o, found from -Dtcxsim.root or the working directory upwards. */
    static Path lessonsObject() {
        String root = System.getProperty("tcxsim.root");
        Path dir = (root != null ? Path.of(root) : Path.of("")).toAbsolutePath().normalize();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("examples").resolve("progs").resolve("lessons.o");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/progs/lessons.o not found from " + dir
                + " or its parents (set -Dtcxsim.root to the repository)");
    }

    int sequences() {
        return sequences;
    }

    int steps() {
        return steps;
    }

    /** How often each step result (ok, an errno, skip) came up on the left kernel, over the unshrunk sequences. */
    Map<String, Integer> tally() {
        return java.util.Collections.unmodifiableMap(tally);
    }

    /** Milliseconds spent in the left (0) or right (1) kernel, shrinking included. */
    long millis(int side) {
        return nanos[side] / 1_000_000;
    }

    /**
     * Runs {@code count} sequences of {@code length} steps (or the one -Dtcxsim.seed); throws an
     * AssertionError describing the first difference, after shrinking it.
     */
    void check(long base, int count, int length) {
        for (long seed : SeededRun.seeds(base, count)) {
            List<DiffStep> seq = DiffStep.draw(new SplittableRandom(seed), length);
            sequences++;
            steps += seq.size();
            if (!agreeCounting(seq)) {
                SeededRun<DiffStep> shrinker = new SeededRun<>(r -> seq, this::agree, s -> "");
                List<DiffStep> minimal = shrinker.shrink(seq);
                throw new AssertionError(describe(seed, seq.size(), minimal));
            }
        }
    }

    boolean agree(List<DiffStep> seq) {
        return run(0, seq).equals(run(1, seq));
    }

    private boolean agreeCounting(List<DiffStep> seq) {
        List<String> l = run(0, seq);
        for (String o : l) {
            tally.merge(o.split(" ", 2)[0], 1, Integer::sum);
        }
        return l.equals(run(1, seq));
    }

    String describe(long seed, int originalLength, List<DiffStep> minimal) {
        List<String> l = run(0, minimal);
        List<String> r = run(1, minimal);
        return "differential test: " + left.name() + " and " + right.name() + " disagree for seed " + seed
                + " (replay with -Dtcxsim.seed=" + seed + "); shrunk from " + originalLength + " to " + minimal.size()
                + " steps.\nMinimal sequence as a tcxsim batch script:\n" + script(seed, minimal, l) + "\n"
                + Comparison.sideBySide("outcome per step", left.name(), label(l), right.name(), label(r));
    }

    private static List<String> label(List<String> outcomes) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            out.add((i + 1) + ": " + outcomes.get(i));
        }
        return out;
    }

    /**
     * The sequence as a script for {@code tcxsim batch file F --continue}; a step the left kernel
     * did not issue (its link slot was not open, or already held a link) is written as a comment.
     */
    String script(long seed, List<DiffStep> seq, List<String> leftOutcomes) {
        StringBuilder sb = new StringBuilder();
        sb.append("# tcxsim differential test, seed ").append(seed).append(": run with 'tcxsim batch file F --continue'")
                .append(" and with '--kernel linux'\n");
        for (int d = 0; d < DiffStep.DEVS; d++) {
            sb.append("dev add d").append(d).append(" type dummy\n");
        }
        sb.append("prog load ").append(lessons).append(" p\n");
        for (int i = 0; i < seq.size(); i++) {
            boolean issued = i >= leftOutcomes.size() || !leftOutcomes.get(i).equals("skip");
            sb.append(issued ? "" : "# not issued (link slot closed or in use): ").append(seq.get(i).cli())
                    .append("   # step ").append(i + 1).append('\n');
        }
        for (int d = 0; d < DiffStep.DEVS; d++) {
            sb.append("net show dev d").append(d).append('\n');
        }
        return sb.toString();
    }

    /** The outcome of every step of {@code seq} on a fresh kernel of side 0 or 1. */
    List<String> run(int side, List<DiffStep> seq) {
        Side which = side == 0 ? left : right;
        long start = System.nanoTime();
        Kernel k = which.open().get();
        try {
            return new Session(k).run(seq);
        } catch (BpfException e) {
            throw new IllegalStateException(which.name() + ": setting up a sequence failed: " + e.getMessage(), e);
        } finally {
            try {
                k.close();
            } finally {
                nanos[side] += System.nanoTime() - start;
            }
        }
    }

    /** One sequence on one kernel: two dummies, the lessons programs, three link slots. */
    private final class Session {
        private final BpfProcess p;
        private final int[] ifindex = new int[DiffStep.DEVS];
        private final int[] progFds = new int[DiffStep.PROGS.size()];
        private final Map<Integer, String> progNames = new HashMap<>();
        private final Map<Integer, String> linkNames = new HashMap<>();
        private final int[] linkFd = new int[DiffStep.SLOTS];
        private final DiffStep[] linkMadeBy = new DiffStep[DiffStep.SLOTS];
        private int created;

        Session(Kernel k) throws BpfException {
            for (int d = 0; d < DiffStep.DEVS; d++) {
                ifindex[d] = k.addDummy("d" + d);
            }
            p = k.process("diff");
            LoadedObjectFds fds = p.loadObject(object);
            for (int i = 0; i < progFds.length; i++) {
                progFds[i] = fds.prog(DiffStep.PROGS.get(i));
                progNames.put(p.progInfo(progFds[i]).id(), DiffStep.PROGS.get(i));
            }
            Arrays.fill(linkFd, -1);
        }

        List<String> run(List<DiffStep> seq) {
            List<String> out = new ArrayList<>(seq.size());
            for (DiffStep s : seq) {
                out.add(step(s));
            }
            return out;
        }

        private String step(DiffStep s) {
            for (int slot : s.slotsUsed()) {
                if (linkFd[slot] < 0) {
                    return "skip";
                }
            }
            if (s.kind() == DiffStep.Kind.LINK_CREATE && linkFd[s.slot()] >= 0) {
                return "skip";
            }
            String result;
            try {
                issue(s);
                result = "ok";
            } catch (BpfException e) {
                result = e.errno().name();
            } catch (RuntimeException e) {
                result = "threw " + e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            return result + " | " + state(s);
        }

        private void issue(DiffStep s) throws BpfException {
            int type = s.egress() ? Uapi.BPF_TCX_EGRESS : Uapi.BPF_TCX_INGRESS;
            int dev = ifindex[s.dev()];
            switch (s.kind()) {
                case ATTACH -> p.progAttach(dev, type, progFds[s.prog()], flags(s), relative(s),
                        s.replace() >= 0 ? progFds[s.replace()] : 0, s.revision());
                case LINK_CREATE -> {
                    int fd = p.linkCreate(progFds[s.prog()], dev, type, flags(s), relative(s), s.revision());
                    linkFd[s.slot()] = fd;
                    linkMadeBy[s.slot()] = s;
                    linkNames.put(p.linkInfo(fd).id(), "l" + s.slot() + "#" + ++created);
                }
                case DETACH -> p.progDetach(dev, type, s.prog() >= 0 ? progFds[s.prog()] : 0, flags(s), relative(s),
                        s.revision());
                case LINK_UPDATE -> p.linkUpdate(linkFd[s.slot()], progFds[s.prog()],
                        s.replace() >= 0 ? Uapi.BPF_F_REPLACE : 0, s.replace() >= 0 ? progFds[s.replace()] : 0);
                case LINK_DETACH -> p.linkDetach(linkFd[s.slot()]);
                case LINK_CLOSE -> {
                    int fd = linkFd[s.slot()];
                    linkFd[s.slot()] = -1;
                    p.close(fd);
                }
                case QUERY -> {
                }
            }
        }

        private int flags(DiffStep s) {
            int f = switch (s.position()) {
                case NONE -> 0;
                case BEFORE -> Uapi.BPF_F_BEFORE;
                case AFTER -> Uapi.BPF_F_AFTER;
                case BOTH -> Uapi.BPF_F_BEFORE | Uapi.BPF_F_AFTER;
            };
            if (s.position() != DiffStep.Pos.NONE && s.relKind() == DiffStep.Rel.LINK) {
                f |= Uapi.BPF_F_LINK;
            }
            if (s.replace() >= 0 && s.kind() != DiffStep.Kind.LINK_UPDATE) {
                f |= Uapi.BPF_F_REPLACE;
            }
            return f;
        }

        private int relative(DiffStep s) {
            if (s.position() == DiffStep.Pos.NONE) {
                return 0;
            }
            return switch (s.relKind()) {
                case NONE -> 0;
                case PROG -> progFds[s.rel()];
                case LINK -> linkFd[s.rel()];
            };
        }

        /** The hook(s) the step touched, as the query shows them. */
        private String state(DiffStep s) {
            return switch (s.kind()) {
                case QUERY -> hook(s.dev(), false) + "; " + hook(s.dev(), true);
                case LINK_UPDATE, LINK_DETACH, LINK_CLOSE -> {
                    DiffStep made = Objects.requireNonNull(linkMadeBy[s.slot()]);
                    yield hook(made.dev(), made.egress());
                }
                default -> hook(s.dev(), s.egress());
            };
        }

        private String hook(int dev, boolean egress) {
            String name = "d" + dev + (egress ? " egress" : " ingress");
            try {
                QueryResult q = p.progQuery(ifindex[dev], egress ? Uapi.BPF_TCX_EGRESS : Uapi.BPF_TCX_INGRESS, 0, 64);
                StringBuilder sb = new StringBuilder(name).append(" rev ").append(q.revision()).append(" [");
                for (int i = 0; i < q.progIds().length; i++) {
                    sb.append(i == 0 ? "" : ", ").append(progNames.getOrDefault(q.progIds()[i], "?" + q.progIds()[i]));
                    int link = i < q.linkIds().length ? q.linkIds()[i] : 0;
                    if (link != 0) {
                        sb.append('@').append(linkNames.getOrDefault(link, "?link"));
                    }
                }
                sb.append(']');
                if (q.count() != q.progIds().length) {
                    sb.append(" count ").append(q.count());
                }
                if (q.errno() != 0 || q.attachFlags() != 0) {
                    sb.append(" errno ").append(q.errno()).append(" attach_flags ").append(q.attachFlags());
                }
                return sb.toString();
            } catch (BpfException e) {
                return name + " query " + e.errno().name();
            } catch (RuntimeException e) {
                return name + " query threw " + e.getClass().getSimpleName();
            }
        }
    }
}
