package dev.tcxsim.cli;

import dev.tcxsim.conformance.harness.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The shadow simulator next to the real kernel: the comparison itself, and whole sessions on the kernel. */
class ShadowTest {
    private static final Path LESSONS = Path.of("..", "examples", "progs", "lessons.o").toAbsolutePath().normalize();

    private static final Shadow.Run AUDIT = new Shadow.Run("veth1", "ingress", "tcx", "audit");
    private static final Shadow.Run DROP = new Shadow.Run("veth1", "ingress", "classic", "classic_drop");
    private static final Shadow.Run OK = new Shadow.Run("veth1", "ingress", "classic", "classic_ok");

    @Test
    void aDifferentProgramMakesThePredictionDiffer() {
        Shadow.Observation kernel = new Shadow.Observation(List.of(AUDIT, OK), List.of("veth1"), List.of("udp 192.0.2.2:53"));
        Shadow.Prediction predicted = new Shadow.Prediction(
                new Shadow.Observation(List.of(AUDIT, DROP), List.of("veth1"), List.of()), "dropped on veth1: TC_INGRESS");
        List<String> lines = Shadow.render(kernel, predicted);
        assertEquals("simulator predicts: veth1 ingress tcx audit, veth1 ingress classic classic_drop;"
                + " fate: dropped on veth1: TC_INGRESS", lines.getFirst());
        assertEquals(List.of(
                "DIFFERS: kernel ran [veth1 ingress tcx audit, veth1 ingress classic classic_ok] but the simulator"
                        + " predicts [veth1 ingress tcx audit, veth1 ingress classic classic_drop]",
                "DIFFERS: the kernel delivered to [udp 192.0.2.2:53] but the simulator predicts []"),
                lines.subList(1, lines.size()));
        assertFalse(lines.contains("agrees: yes"));
    }

    @Test
    void arrivalOnAnotherDeviceDiffers() {
        Shadow.Observation kernel = new Shadow.Observation(List.of(AUDIT), List.of("veth1"), List.of());
        Shadow.Observation predicted = new Shadow.Observation(List.of(AUDIT), List.of("veth1", "veth3"), List.of());
        assertEquals(List.of("the frame arrived on [veth1] but the simulator predicts [veth1, veth3]"),
                Shadow.differences(kernel, predicted));
    }

    @Test
    void runCountsAreComparedAsManyTimesAsTheyRanInAnyOrder() {
        Shadow.Observation kernel = new Shadow.Observation(List.of(OK, AUDIT), List.of("veth1"), List.of());
        assertEquals(List.of(), Shadow.differences(kernel,
                new Shadow.Observation(List.of(AUDIT, OK), List.of("veth1"), List.of())));
        assertEquals(1, Shadow.differences(kernel,
                new Shadow.Observation(List.of(AUDIT, OK, AUDIT), List.of("veth1"), List.of())).size());
        assertEquals("agrees: yes", Shadow.render(kernel, new Shadow.Prediction(
                new Shadow.Observation(List.of(AUDIT, OK), List.of("veth1"), List.of()), "x")).getLast());
    }

    @Test
    void namesAreComparedAsTheKernelKeepsThem() {
        assertEquals(new Shadow.Run("d", "ingress", "tcx", "a_very_long_pro"),
                new Shadow.Run("d", "ingress", "tcx", "a_very_long_program_name"));
    }

    @Test
    void runCounterLabelsBecomeRunsWithoutIds() {
        assertEquals(AUDIT, RunCounters.run("veth1 ingress tcx prog 4711 audit (link 12)"));
        assertEquals(DROP, RunCounters.run("veth1 ingress classic prio 1 handle 0x1 prog 4712 classic_drop"));
        assertEquals(List.of(AUDIT, AUDIT), RunCounters.runs(
                java.util.Map.of("veth1 ingress tcx prog 4711 audit (plain)", 3L),
                java.util.Map.of("veth1 ingress tcx prog 4711 audit (plain)", 5L)));
    }

    private static void requireKernel() {
        String why = Backend.LINUX.whyUnavailable();
        if (why != null) {
            if (Backend.LINUX.required()) {
                fail("the real-kernel shadow test is required here but cannot run: " + why);
            }
            assumeTrue(false, why);
        }
    }

    private static MainTest.Run linuxBatch(Path dir, String... lines) throws Exception {
        Path script = dir.resolve("script.tcx");
        Files.write(script, List.of(lines));
        return MainTest.run("--kernel", "linux", "batch", "file", script.toString());
    }

    @Test
    void onTheKernelTheSimulatorPredictsATcxNextThenClassicDropChain(@TempDir Path dir) throws Exception {
        requireKernel();
        MainTest.Run r = linuxBatch(dir,
                "dev add veth0 type veth peer veth1",
                "dev addr veth1 192.0.2.2/24",
                "packet listen udp 192.0.2.2:53",
                "prog load " + LESSONS + " count",
                "tc qdisc add dev veth1 clsact",
                "tc filter add dev veth1 ingress prio 1 handle 1 bpf da name classic_drop",
                "net attach tcx_ingress name audit dev veth1",
                "packet send dev veth0 udp 192.0.2.9:4000 192.0.2.2:53 trace");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("simulator predicts: veth1 ingress tcx audit, veth1 ingress classic classic_drop;"
                + " fate: dropped on veth1"), r.out());
        assertTrue(r.out().contains("\nagrees: yes\n"), r.out());
        assertFalse(r.out().contains("DIFFERS"), r.out());
        assertFalse(r.err().contains("could not follow"), r.err());
    }

    @Test
    void jsonCarriesThePredictionAndWhetherItAgrees(@TempDir Path dir) throws Exception {
        requireKernel();
        Path script = dir.resolve("script.tcx");
        Files.write(script, List.of(
                "dev add veth0 type veth peer veth1",
                "dev addr veth1 192.0.2.2/24",
                "packet listen udp 192.0.2.2:53",
                "prog load " + LESSONS + " count",
                "net attach tcx_ingress name audit dev veth1",
                "packet send dev veth0 udp 192.0.2.9:4000 192.0.2.2:53"));
        MainTest.Run r = MainTest.run("--kernel", "linux", "-j", "batch", "file", script.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String last = r.out().strip().lines().toList().getLast();
        assertTrue(last.contains("predicted"), last);
        assertTrue(last.contains("veth1 ingress tcx audit"), last);
        assertTrue(last.contains("agrees") && last.contains("true"), last);
    }

    @Test
    void aCommandTheSimulatorCannotFollowEndsThePredictionsButNotTheCommand(@TempDir Path dir) throws Exception {
        requireKernel();
        try (Session s = Session.open("linux")) {
            assertTrue(s.shadow != null, "a linux session starts with a shadow simulator");
            ExplainCommandTest.Out load = ExplainCommandTest.run(s, "prog load " + LESSONS + " count");
            assertEquals(0, load.code(), load.err());
            ExplainCommandTest.run(s, "dev add veth0 type veth peer veth1");
            int realId = s.proc.progInfo(s.progs.get("audit")).id();
            // the kernel's ids are global, the simulator's are its own: this id names nothing there
            ExplainCommandTest.Out attach = ExplainCommandTest.run(s, "net attach tcx_ingress id " + realId + " dev veth1");
            assertEquals(0, attach.code(), attach.err());
            assertTrue(attach.err().startsWith("simulator could not follow: 'net attach tcx_ingress id " + realId),
                    attach.err());
            assertEquals(null, s.shadow);
            ExplainCommandTest.Out send = ExplainCommandTest.run(s, "packet send dev veth0 udp 192.0.2.9:1 192.0.2.2:53 trace");
            assertEquals(0, send.code(), send.err());
            assertTrue(send.out().contains("veth1 ingress tcx prog " + realId + " audit"), send.out());
            assertFalse(send.out().contains("simulator predicts"), send.out());
        }
    }

    @Test
    void aNamedNamespaceSaysWhyThereIsNoPrediction() throws Exception {
        requireKernel();
        String name = "tcxsim-shadowtest-" + ProcessHandle.current().pid();
        try {
            MainTest.Run add = MainTest.run("--kernel", "linux", "--netns", name, "dev", "add", "veth0", "type", "veth",
                    "peer", "veth1");
            assertEquals(0, add.code(), add.err());
            MainTest.Run send = MainTest.run("--kernel", "linux", "--netns", name, "packet", "send", "dev", "veth0", "udp",
                    "192.0.2.9:1", "192.0.2.2:53", "trace");
            assertEquals(0, send.code(), send.err());
            assertTrue(send.out().contains("simulator predicts: (no prediction: namespace " + name
                    + " keeps state from earlier invocations"), send.out());
            assertFalse(send.out().contains("agrees"), send.out());
        } finally {
            if (dev.tcxsim.linux.LinuxKernel.namedExists(name)) {
                dev.tcxsim.linux.LinuxKernel.deleteNamed(name);
            }
        }
    }
}
