package dev.tcxsim.conformance.cases;

import dev.tcxsim.conformance.cases.DifferentialRunner.Side;
import dev.tcxsim.conformance.gen.SeededRun;
import dev.tcxsim.conformance.harness.Backend;
import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.tcx.Errno;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 6 item 4: random attach / detach / link / query sequences, valid and invalid, run on the
 * simulator and on the real kernel, every step's outcome compared. A difference is shrunk and
 * reported with its seed and a {@code tcxsim batch} script that reproduces it.
 *
 * <p>{@code -Dtcxsim.differential.sequences=N} runs more sequences; {@code -Dtcxsim.seed=S}
 * replays one.
 */
class DifferentialRandomTest {
    private static final long BASE = 0xd1ff_2026L;
    private static final int DEFAULT_SEQUENCES = 300;          // measured: about 45 s for both backends on CI's 2 cores
    private static final int LENGTH = 25;

    @Test
    void simulatorAndKernelAgreeOnRandomSequences() {
        String why = Backend.LINUX.whyUnavailable();
        if (why != null) {
            assertFalse(Backend.LINUX.required(), "the linux backend is required here but cannot run: " + why);
            assumeTrue(false, "the linux backend cannot run here: " + why);
        }
        int sequences = Integer.getInteger("tcxsim.differential.sequences", DEFAULT_SEQUENCES);
        DifferentialRunner runner = new DifferentialRunner(new Side("sim", Backend.SIM::open),
                new Side("linux", Backend.LINUX::open), DifferentialRunner.lessonsObject());
        try {
            runner.check(BASE, sequences, LENGTH);
        } finally {
            System.out.printf("differential: %d sequences, %d steps; sim %d ms, linux %d ms; step results %s%n",
                    runner.sequences(), runner.steps(), runner.millis(0), runner.millis(1), runner.tally());
        }
    }

    @Test
    void twoSimulatorsAgree() {
        DifferentialRunner runner = new DifferentialRunner(new Side("sim", Backend.SIM::open),
                new Side("sim again", Backend.SIM::open), DifferentialRunner.lessonsObject());
        runner.check(BASE, 10, LENGTH);
        assertEquals(10 * LENGTH, runner.steps());
    }

    /** The outcomes carry real information: a random sequence yields successes, errnos and chains. */
    @Test
    void outcomesShowSuccessesErrnosAndChains() {
        DifferentialRunner runner = new DifferentialRunner(new Side("sim", Backend.SIM::open),
                new Side("sim", Backend.SIM::open), DifferentialRunner.lessonsObject());
        long seed = SeededRun.seeds(BASE, 1)[0];
        List<String> out = runner.run(0, DiffStep.draw(new SplittableRandom(seed), 60));
        assertEquals(60, out.size());
        assertTrue(out.stream().anyMatch(o -> o.startsWith("ok | ")), out.toString());
        assertTrue(out.stream().anyMatch(o -> o.startsWith("E")), out.toString());
        assertTrue(out.stream().anyMatch(o -> o.matches(".*\\[\\w+.*\\].*")), out.toString());
    }

    /** A "kernel" that answers every BPF_LINK_DETACH with EPERM must be caught, shrunk and scripted. */
    @Test
    void aDifferenceIsShrunkToAScriptWithItsSeed() {
        DifferentialRunner runner = new DifferentialRunner(new Side("sim", Backend.SIM::open),
                new Side("sim, link detach broken", () -> brokenLinkDetach(Backend.SIM.open())),
                DifferentialRunner.lessonsObject());
        AssertionError e = assertThrows(AssertionError.class, () -> runner.check(BASE, 20, LENGTH));
        String msg = e.getMessage();
        System.out.println(msg);
        assertTrue(msg.contains("-Dtcxsim.seed="), msg);
        assertTrue(msg.contains("prog load " + DifferentialRunner.lessonsObject() + " p\n"), msg);
        String head = "Minimal sequence as a tcxsim batch script:\n";
        assertTrue(msg.contains(head) && msg.contains("outcome per step"), msg);
        String script = msg.substring(msg.indexOf(head) + head.length(), msg.indexOf("outcome per step"));
        List<String> steps = script.lines().filter(l -> l.contains("# step ")).toList();
        assertTrue(steps.size() >= 2 && steps.size() <= 4, "not minimal:\n" + script);
        assertTrue(steps.getLast().startsWith("link detach link l"), "the last step is not the link detach:\n" + script);
        assertTrue(steps.stream().anyMatch(l -> l.contains("net attach") && l.contains(" link as l")), script);
        assertTrue(msg.contains("EPERM"), msg);
        assertTrue(msg.contains("≠ "), "no differing line marked:\n" + msg);
        long seed = Long.parseLong(msg.replaceAll("(?s).*-Dtcxsim\\.seed=(\\d+).*", "$1"));
        assertTrue(java.util.Arrays.stream(SeededRun.seeds(BASE, 20)).anyMatch(s -> s == seed), "unknown seed " + seed);
    }

    private static Kernel brokenLinkDetach(Kernel real) {
        return (Kernel) Proxy.newProxyInstance(Kernel.class.getClassLoader(), new Class<?>[] {Kernel.class},
                (proxy, m, args) -> {
                    Object r = invoke(real, m, args);
                    if (m.getName().equals("process")) {
                        BpfProcess p = (BpfProcess) r;
                        return Proxy.newProxyInstance(BpfProcess.class.getClassLoader(), new Class<?>[] {BpfProcess.class},
                                (pp, pm, pargs) -> {
                                    if (pm.getName().equals("linkDetach")) {
                                        throw new BpfException(Errno.EPERM, "link detach refused by the test");
                                    }
                                    return invoke(p, pm, pargs);
                                });
                    }
                    return r;
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
