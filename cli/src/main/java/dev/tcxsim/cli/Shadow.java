package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.kernel.sim.SimKernel;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.NetPicture.Step;
import dev.tcxsim.cli.render.SimTracePath;
import dev.tcxsim.kernel.TcDirection;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The simulator's view of a session on the real kernel: a second session on the simulated kernel
 * into which every state-changing command that succeeded on the real kernel is replayed (the same
 * commands a session file records, plus {@code packet listen}). A {@code packet send} on the real
 * kernel sends the same frame here too, so its output can say what the simulator predicts next to
 * what the kernel showed, and whether they agree. Ids differ between the two kernels, so the two
 * are compared only by device, hook, tcx or classic, and program name, and by the devices the
 * frame arrived on and the sockets it reached.
 *
 * <p>The shadow never breaks the real command: when it cannot follow one (a command fails here
 * that succeeded on the kernel), it says so once and stops.
 */
final class Shadow implements AutoCloseable {
    /** BPF_OBJ_NAME_LEN - 1: the kernel keeps at most this much of a program's name. */
    private static final int KERNEL_NAME_LEN = 15;

    private final Session sim;

    private Shadow(Session sim) {
        this.sim = sim;
    }

    /** A fresh simulated session to follow a real one, or null when the simulator cannot be opened. */
    static Shadow start() {
        try {
            return new Shadow(Session.open("sim"));
        } catch (CliError | RuntimeException e) {
            return null;
        }
    }

    /** One program run: where, which kind of attachment, and the program's name (no ids: they differ). */
    record Run(String device, String hook, String kind, String name) {
        Run {
            name = name.length() > KERNEL_NAME_LEN ? name.substring(0, KERNEL_NAME_LEN) : name;
        }

        String text() {
            return device + " " + hook + " " + kind + " " + name;
        }
    }

    /** What can be seen of one frame's way on both kernels. */
    record Observation(List<Run> ran, List<String> arrivedOn, List<String> deliveredTo) {
        Observation {
            ran = List.copyOf(ran);
            arrivedOn = List.copyOf(arrivedOn);
            deliveredTo = List.copyOf(deliveredTo);
        }
    }

    /** The simulator's prediction: what should be observed, and the fate (which a real kernel does not show). */
    record Prediction(Observation expected, String fate) {
    }

    /**
     * Replays {@code line} (noun first), which just succeeded on the real kernel. Returns false, having
     * printed why on {@code err}, when the simulator could not follow; the caller then drops the shadow.
     */
    boolean follow(List<String> line, PrintWriter err) {
        StringWriter why = new StringWriter();
        int code;
        try {
            code = Main.runIn(sim, false, new PrintWriter(Writer.nullWriter()), new PrintWriter(why), line);
        } catch (RuntimeException e) {
            err.println("simulator could not follow: '" + String.join(" ", line) + "' failed in the simulator: " + e);
            err.flush();
            return false;
        }
        if (code != 0) {
            err.println("simulator could not follow: '" + String.join(" ", line) + "' succeeded on the kernel but not in"
                    + " the simulator (" + why.toString().strip().replaceFirst("^Error: ", "") + "); no more predictions"
                    + " in this session");
            err.flush();
            return false;
        }
        return true;
    }

    /** Sends {@code frame} out of {@code device} in the simulator and reports what it predicts. */
    Prediction predict(String device, byte[] frame) throws CliError {
        List<PacketTap> taps = new ArrayList<>();
        List<String> tapNames = new ArrayList<>();
        Map<String, Integer> receivedBefore = new LinkedHashMap<>();
        sim.sockets.forEach((label, sock) -> receivedBefore.put(label, sock.received().size()));
        List<String> arrived = new ArrayList<>();
        try {
            for (var d : sim.kernel.devices()) {
                if (!d.kind().equals("loopback")) {
                    taps.add(sim.kernel.tap(d.name()));
                    tapNames.add(d.name());
                }
            }
            sim.kernel.transmit(device, frame);
            for (int i = 0; i < taps.size(); i++) {
                if (!taps.get(i).frames().isEmpty()) {
                    arrived.add(tapNames.get(i));
                }
            }
        } catch (BpfException e) {
            throw CliError.of("cannot send on " + device + " in the simulator", e);
        } finally {
            taps.forEach(PacketTap::close);
        }
        List<String> delivered = new ArrayList<>();
        sim.sockets.forEach((label, sock) -> {
            if (sock.received().size() > receivedBefore.get(label)) {
                delivered.add(label);
            }
        });
        if (!(sim.kernel instanceof SimKernel k) || k.lastTrace() == null) {
            throw new CliError("the simulator kept no trace of the frame");
        }
        Map<Integer, String> names = new LinkedHashMap<>();
        sim.kernel.devices().forEach(d -> names.put(d.ifindex(), d.name()));
        PacketPath path = SimTracePath.of(k.lastTrace().events(), i -> names.getOrDefault(i, "ifindex " + i));
        List<Run> ran = new ArrayList<>();
        for (Step step : path.steps()) {
            if (step.ranProgram()) {
                ran.add(new Run(step.device(), step.hook() == TcDirection.INGRESS ? "ingress" : "egress",
                        step.kind().name().toLowerCase(Locale.ROOT), step.progName()));
            }
        }
        return new Prediction(new Observation(ran, arrived, delivered), path.fate().text());
    }

    /**
     * The differences between what the kernel showed and what the simulator predicted, one line
     * each; empty when they agree. Program runs are compared as multisets: the kernel's run
     * counters give how often each program ran, not in which order.
     */
    static List<String> differences(Observation kernel, Observation predicted) {
        List<String> out = new ArrayList<>();
        if (!sorted(kernel.ran()).equals(sorted(predicted.ran()))) {
            out.add("kernel ran " + texts(kernel.ran()) + " but the simulator predicts " + texts(predicted.ran()));
        }
        if (!kernel.arrivedOn().stream().sorted().toList().equals(predicted.arrivedOn().stream().sorted().toList())) {
            out.add("the frame arrived on " + kernel.arrivedOn() + " but the simulator predicts " + predicted.arrivedOn());
        }
        if (!kernel.deliveredTo().stream().sorted().toList().equals(predicted.deliveredTo().stream().sorted().toList())) {
            out.add("the kernel delivered to " + kernel.deliveredTo() + " but the simulator predicts "
                    + predicted.deliveredTo());
        }
        return out;
    }

    /** The text lines of a prediction and its comparison with the kernel, as printed after the observed lines. */
    static List<String> render(Observation kernel, Prediction prediction) {
        List<String> lines = new ArrayList<>();
        Observation p = prediction.expected();
        lines.add("simulator predicts: " + (p.ran().isEmpty() ? "(no program runs)"
                : String.join(", ", p.ran().stream().map(Run::text).toList())) + "; fate: " + prediction.fate());
        List<String> diffs = differences(kernel, p);
        if (diffs.isEmpty()) {
            lines.add("agrees: yes");
        } else {
            diffs.forEach(d -> lines.add("DIFFERS: " + d));
        }
        return lines;
    }

    /** The prediction as JSON. */
    static Map<String, Object> json(Prediction prediction) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("programs_ran", prediction.expected().ran().stream().map(Run::text).toList());
        m.put("arrived_on", prediction.expected().arrivedOn());
        m.put("delivered_to", prediction.expected().deliveredTo());
        m.put("fate", prediction.fate());
        return m;
    }

    private static List<String> sorted(List<Run> runs) {
        return runs.stream().map(Run::text).sorted(Comparator.naturalOrder()).toList();
    }

    private static String texts(List<Run> runs) {
        return "[" + String.join(", ", runs.stream().map(Run::text).toList()) + "]";
    }

    /** Process exit in the simulator too, when the real session's process exits. */
    void endProcess() {
        sim.endProcess();
    }

    @Override
    public void close() {
        sim.close();
    }
}
