package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.gen.SeededRun;
import dev.tcxsim.conformance.harness.KernelTest;
import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.tcx.Errno;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static dev.tcxsim.conformance.cases.Tcx.AFTER;
import static dev.tcxsim.conformance.cases.Tcx.BEFORE;
import static dev.tcxsim.conformance.cases.Tcx.ID;
import static dev.tcxsim.conformance.cases.Tcx.INGRESS;
import static dev.tcxsim.conformance.cases.Tcx.REPLACE;

/**
 * Random attach / detach / link / update / close / query sequences, valid and invalid, checked
 * against a plain reference list after every step:
 * <ul>
 *   <li>the query returns exactly the reference list (programs and owning links, in order),</li>
 *   <li>the revision grows by one on each successful change and stays on each failure,</li>
 *   <li>a failed step changes nothing; no program is ever attached twice (EEXIST),</li>
 *   <li>plain operations never remove or replace a link's slot (EBUSY), and links only move their own,</li>
 *   <li>flags outside the tcx mask are always EINVAL; a short query buffer is always ENOSPC;</li>
 *   <li>a stale expected_revision is always ESTALE; a clsact qdisc keeps an empty hook's revision.</li>
 * </ul>
 * Where a successful step lands follows the documented rules (append, prepend, before/after a
 * program, replace in place, remove first/last/named).
 */
class StatefulRandomTest {
    private static final int PROGS = 6;
    private static final int LINKS = 3;

    /** One step; {@code a} and {@code b} index programs or links, {@code variant} picks the form. */
    record Step(String op, int a, int b, int variant) {
        @Override
        public String toString() {
            return op + "(" + a + ", " + b + ", v" + variant + ")";
        }
    }

    private static List<Step> draw(SplittableRandom r) {
        List<Step> steps = new ArrayList<>();
        int n = 10 + r.nextInt(30);
        String[] ops = {"attach", "attach", "attach", "detach", "detach", "link", "linkDetach", "linkUpdate", "linkClose",
            "query", "clsact", "stale"};
        for (int i = 0; i < n; i++) {
            steps.add(new Step(ops[r.nextInt(ops.length)], r.nextInt(PROGS), r.nextInt(PROGS), r.nextInt(8)));
        }
        return steps;
    }

    /** The reference: slots of (program index, link index or -1). */
    private record Slot(int prog, int link) {
    }

    private static final class Run {
        final Kernel k;
        final BpfProcess p;
        final int dev;
        final String devName;
        final int[] progFds = new int[PROGS];
        final int[] progIds = new int[PROGS];
        final int[] linkFds = new int[LINKS];
        final int[] linkIds = new int[LINKS];
        final int[] linkProg = new int[LINKS];
        final boolean[] linkAttached = new boolean[LINKS];
        final List<Slot> ref = new ArrayList<>();
        long revision = 1;
        boolean clsact;
        String problem;

        Run(Kernel k, int serial) throws BpfException {
            this.k = k;
            this.devName = "rnd" + serial;
            this.dev = k.addDummy(devName);
            this.p = k.process("rnd" + serial);
            for (int i = 0; i < PROGS; i++) {
                progFds[i] = Tcx.load(p, "r" + i, -1);
                progIds[i] = Tcx.id(p, progFds[i]);
            }
            Arrays.fill(linkFds, -1);
        }

        int pos(int prog) {
            for (int i = 0; i < ref.size(); i++) {
                if (ref.get(i).prog == prog) {
                    return i;
                }
            }
            return -1;
        }

        void problem(String why) {
            if (problem == null) {
                problem = why;
            }
        }

        /** Runs one step; returns the errno or null, and updates the reference on success. */
        void step(Step s) {
            Errno err = null;
            boolean changed = false;
            List<Slot> before = List.copyOf(ref);
            try {
                switch (s.op()) {
                    case "attach" -> changed = attach(s);
                    case "detach" -> changed = detach(s);
                    case "link" -> changed = link(s);
                    case "linkDetach" -> changed = linkDetach(s);
                    case "linkUpdate" -> changed = linkUpdate(s);
                    case "linkClose" -> changed = linkClose(s);
                    case "clsact" -> clsact(s);
                    case "stale" -> stale(s);
                    default -> query(s);
                }
            } catch (BpfException e) {
                err = e.errno();
                if (!ref.equals(before)) {
                    problem(s + " failed with " + err + " but the reference was already changed");
                }
            }
            if (changed && err == null) {
                revision++;
            }
            check(s, err);
        }

        boolean attach(Step s) throws BpfException {
            int prog = s.a();
            int rel = s.b();
            boolean present = pos(prog) >= 0;
            int flags;
            int relArg = 0;
            int replaceFd = 0;
            switch (s.variant()) {
                case 0 -> flags = 0;
                case 1 -> flags = BEFORE;
                case 2 -> { flags = BEFORE; relArg = progFds[rel]; }
                case 3 -> { flags = AFTER; relArg = progFds[rel]; }
                case 4 -> { flags = AFTER | ID; relArg = progIds[rel]; }
                case 5 -> { flags = REPLACE; replaceFd = progFds[rel]; }
                case 6 -> flags = Uapi.BPF_F_ALLOW_MULTI;
                default -> { flags = 0; relArg = progFds[rel]; }          // R without a position: EINVAL
            }
            try {
                p.progAttach(dev, INGRESS, progFds[prog], flags, relArg, replaceFd, 0);
            } catch (BpfException e) {
                expectFailure(s, e.errno(), present, flags);
                throw e;
            }
            if (present) {
                problem(s + " attached program " + prog + " a second time");
            }
            if (flags == Uapi.BPF_F_ALLOW_MULTI || s.variant() == 7) {
                problem(s + " succeeded with flags the kernel refuses");
            }
            int at;
            switch (s.variant()) {
                case 1 -> at = 0;
                case 2 -> at = pos(rel);
                case 3, 4 -> at = pos(rel) + 1;
                case 5 -> {
                    int old = pos(rel);
                    if (old < 0 || ref.get(old).link != -1) {
                        problem(s + " replaced " + (old < 0 ? "a program that was not attached" : "a link's slot"));
                        return true;
                    }
                    ref.set(old, new Slot(prog, -1));
                    return true;
                }
                default -> at = ref.size();
            }
            if (at < 0) {
                problem(s + " succeeded relative to a program that is not attached");
                return true;
            }
            ref.add(at, new Slot(prog, -1));
            return true;
        }

        void expectFailure(Step s, Errno e, boolean present, int flags) {
            if (flags == Uapi.BPF_F_ALLOW_MULTI && e != Errno.EINVAL) {
                problem(s + ": a flag outside the tcx mask gave " + e + ", not EINVAL");
            } else if (flags != Uapi.BPF_F_ALLOW_MULTI && present && e != Errno.EEXIST) {
                problem(s + ": attaching an attached program gave " + e + ", not EEXIST");
            }
        }

        boolean detach(Step s) throws BpfException {
            int prog = s.a();
            int i = pos(prog);
            switch (s.variant() % 4) {
                case 0 -> {                                              // named
                    try {
                        p.progDetach(dev, INGRESS, progFds[prog], 0, 0, 0);
                    } catch (BpfException e) {
                        Errno want = i < 0 ? Errno.ENOENT : ref.get(i).link != -1 ? Errno.EBUSY : null;
                        if (want != e.errno()) {
                            problem(s + ": named detach gave " + e.errno() + ", expected " + want);
                        }
                        throw e;
                    }
                    if (i < 0 || ref.get(i).link != -1) {
                        problem(s + " removed a program that was not plainly attached");
                        return true;
                    }
                    ref.remove(i);
                }
                case 1, 2 -> {                                           // last / first
                    boolean last = s.variant() % 4 == 1;
                    try {
                        p.progDetach(dev, INGRESS, 0, last ? 0 : BEFORE, 0, 0);
                    } catch (BpfException e) {
                        int at = last ? ref.size() - 1 : 0;
                        Errno want = ref.isEmpty() ? Errno.ENOENT : ref.get(at).link != -1 ? Errno.EBUSY : null;
                        if (want != e.errno()) {
                            problem(s + ": detach " + (last ? "last" : "first") + " gave " + e.errno() + ", expected " + want);
                        }
                        throw e;
                    }
                    int at = last ? ref.size() - 1 : 0;
                    if (ref.isEmpty() || ref.get(at).link != -1) {
                        problem(s + " removed a link's slot or nothing");
                        return true;
                    }
                    ref.remove(at);
                }
                default -> {                                             // the slot after program b
                    p.progDetach(dev, INGRESS, 0, AFTER, progFds[s.b()], 0);
                    int r = pos(s.b());
                    int at = Math.min(r + 1, ref.size() - 1);
                    if (r < 0 || ref.get(at).link != -1) {
                        problem(s + " removed a slot it should not");
                        return true;
                    }
                    ref.remove(at);
                }
            }
            return true;
        }

        boolean link(Step s) throws BpfException {
            int slot = s.b() % LINKS;
            if (linkFds[slot] >= 0) {
                return false;                                           // slot in use: no call
            }
            int prog = s.a();
            boolean present = pos(prog) >= 0;
            int flags = s.variant() % 2 == 0 ? 0 : BEFORE;
            int fd;
            try {
                fd = p.linkCreate(progFds[prog], dev, INGRESS, flags, 0, 0);
            } catch (BpfException e) {
                if (present && e.errno() != Errno.EEXIST) {
                    problem(s + ": linking an attached program gave " + e.errno() + ", not EEXIST");
                }
                throw e;
            }
            if (present) {
                problem(s + " linked program " + prog + " a second time");
            }
            linkFds[slot] = fd;
            linkIds[slot] = Tcx.linkId(p, fd);
            linkProg[slot] = prog;
            linkAttached[slot] = true;
            ref.add(flags == 0 ? ref.size() : 0, new Slot(prog, slot));
            return true;
        }

        int linkPos(int slot) {
            for (int i = 0; i < ref.size(); i++) {
                if (ref.get(i).link == slot) {
                    return i;
                }
            }
            return -1;
        }

        boolean linkDetach(Step s) throws BpfException {
            int slot = s.a() % LINKS;
            if (linkFds[slot] < 0) {
                return false;
            }
            p.linkDetach(linkFds[slot]);
            if (!linkAttached[slot]) {
                return false;                                           // defunct: no change, no revision
            }
            ref.remove(linkPos(slot));
            linkAttached[slot] = false;
            return true;
        }

        boolean linkUpdate(Step s) throws BpfException {
            int slot = s.a() % LINKS;
            if (linkFds[slot] < 0) {
                return false;
            }
            int prog = s.b();
            try {
                p.linkUpdate(linkFds[slot], progFds[prog], 0, 0);
            } catch (BpfException e) {
                Errno want = !linkAttached[slot] ? Errno.ENOLINK : pos(prog) >= 0 ? Errno.EEXIST : null;
                if (want != e.errno()) {
                    problem(s + ": link update gave " + e.errno() + ", expected " + want);
                }
                throw e;
            }
            if (!linkAttached[slot]) {
                problem(s + " updated a defunct link");
                return false;
            }
            if (linkProg[slot] == prog) {
                return false;                                           // same program: no change
            }
            if (pos(prog) >= 0) {
                problem(s + " made program " + prog + " appear twice");
            }
            ref.set(linkPos(slot), new Slot(prog, slot));
            linkProg[slot] = prog;
            return true;
        }

        boolean linkClose(Step s) throws BpfException {
            int slot = s.a() % LINKS;
            if (linkFds[slot] < 0) {
                return false;
            }
            p.close(linkFds[slot]);
            linkFds[slot] = -1;
            if (!linkAttached[slot]) {
                return false;
            }
            ref.remove(linkPos(slot));
            linkAttached[slot] = false;
            return true;
        }

        /** Adds or removes the clsact qdisc: it keeps an empty entry (and its revision) alive. */
        void clsact(Step s) throws BpfException {
            if (clsact) {
                k.qdiscDelClsact(devName);
            } else {
                k.qdiscAddClsact(devName);
            }
            clsact = !clsact;
        }

        /** An attach with a wrong expected_revision: always ESTALE, nothing changes. */
        void stale(Step s) throws BpfException {
            try {
                p.progAttach(dev, INGRESS, progFds[s.a()], 0, 0, 0, currentRevision() + 1 + s.variant());
            } catch (BpfException e) {
                if (e.errno() != Errno.ESTALE) {
                    problem(s + ": a stale expected_revision gave " + e.errno());
                }
                throw e;
            }
            problem(s + ": an attach with a stale expected_revision succeeded");
        }

        long currentRevision() {
            return ref.isEmpty() && !clsact ? 1 : revision;
        }

        void query(Step s) throws BpfException {
            int buf = s.variant();
            QueryResult q = p.progQuery(dev, INGRESS, 0, buf);
            int total = ref.size();
            boolean shortBuf = buf > 0 && buf < total;
            if (q.errno() != (shortBuf ? Errno.ENOSPC.number() : 0)) {
                problem(s + ": query with a buffer of " + buf + " for " + total + " programs gave errno " + q.errno());
            }
            if (q.progIds().length != (buf == 0 ? 0 : Math.min(buf, total))) {
                problem(s + ": query filled " + q.progIds().length + " ids");
            }
        }

        void check(Step s, Errno err) {
            QueryResult q;
            try {
                q = p.progQuery(dev, INGRESS, 0, 64);
            } catch (BpfException e) {
                problem("query after " + s + " failed: " + e.getMessage());
                return;
            }
            int[] wantProgs = new int[ref.size()];
            int[] wantLinks = new int[ref.size()];
            for (int i = 0; i < ref.size(); i++) {
                wantProgs[i] = progIds[ref.get(i).prog];
                wantLinks[i] = ref.get(i).link < 0 ? 0 : linkIds[ref.get(i).link];
            }
            if (!Arrays.equals(wantProgs, q.progIds()) || !Arrays.equals(wantLinks, q.linkIds())) {
                problem("after " + s + (err == null ? "" : " (" + err + ")") + " the hook holds " + Arrays.toString(q.progIds())
                        + " links " + Arrays.toString(q.linkIds()) + " but the reference says " + Arrays.toString(wantProgs)
                        + " links " + Arrays.toString(wantLinks));
            }
            // An empty hook without clsact loses its entry: the revision starts again at 1.
            if (ref.isEmpty() && !clsact) {
                revision = 1;
            }
            long want = revision;
            if (q.revision() != want) {
                problem("after " + s + (err == null ? "" : " (" + err + ")") + " the revision is " + q.revision()
                        + ", expected " + want);
            }
        }

        void close() {
            p.exit();
            try {
                k.deleteDevice(devName);
            } catch (BpfException e) {
                problem("cleanup: " + e.getMessage());
            }
        }
    }

    @KernelTest
    void randomSequencesAgreeWithTheReferenceList(Kernel k) {
        int[] serial = {0};
        java.util.function.Function<List<Step>, String> problemOf = steps -> {
            Run r;
            try {
                r = new Run(k, serial[0]++);
            } catch (BpfException e) {
                throw new IllegalStateException("setting up a run failed: " + e.getMessage(), e);
            }
            try {
                for (Step s : steps) {
                    r.step(s);
                    if (r.problem != null) {
                        break;
                    }
                }
            } finally {
                r.close();
            }
            return r.problem;
        };
        new SeededRun<>(StatefulRandomTest::draw, steps -> problemOf.apply(steps) == null, problemOf)
                .check(0x7c5_2026L, 25);
    }
}
