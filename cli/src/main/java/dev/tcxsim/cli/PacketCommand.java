package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.kernel.sim.SimKernel;
import dev.tcxsim.kernel.sim.Trace;
import dev.tcxsim.kernel.sim.TraceEvent;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "packet", description = {"Send a frame and see where it goes.",
        "  packet send dev NAME {data_in FILE | udp SRC:PORT DST:PORT [payload TEXT]} [trace]",
        "  packet listen udp ADDRESS:PORT   (a UDP socket for the rest of the session: delivery becomes visible)",
        "The frame leaves through NAME: NAME's egress hook, then (for a veth) the peer's ingress hook,",
        "then local delivery. 'trace' prints every hook, program and verdict on the way."})
final class PacketCommand extends NounCommand {
    private void listen(Words w) throws CliError {
        w.expect("udp");
        String where = w.next("ADDRESS:PORT");
        FrameBuilder.Endpoint e = FrameBuilder.Endpoint.parse(where);
        w.end();
        Session s = session();
        String ip = (e.ip()[0] & 0xff) + "." + (e.ip()[1] & 0xff) + "." + (e.ip()[2] & 0xff) + "." + (e.ip()[3] & 0xff);
        try {
            s.sockets.put("udp " + ip + ":" + e.port(), s.kernel.udpListen(ip, e.port()));
        } catch (BpfException ex) {
            throw CliError.of("cannot listen on udp " + where, ex);
        }
    }

    @Override
    void run(Words w) throws CliError {
        String verb = w.next("a verb (send, listen)");
        if (verb.equals("listen")) {
            listen(w);
            return;
        }
        if (!verb.equals("send")) {
            throw unknownVerb("packet", verb, "send, listen");
        }
        w.expect("dev");
        String dev = w.next("a device name");
        byte[] frame;
        String source = w.next("data_in FILE or udp SRC:PORT DST:PORT");
        switch (source) {
            case "data_in" -> {
                String file = w.next("a file with the frame's bytes");
                try {
                    frame = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
                } catch (IOException e) {
                    throw new CliError("cannot read " + file + ": " + e.getMessage());
                }
            }
            case "udp" -> {
                FrameBuilder.Endpoint src = FrameBuilder.Endpoint.parse(w.next("SRC:PORT"));
                FrameBuilder.Endpoint dst = FrameBuilder.Endpoint.parse(w.next("DST:PORT"));
                String payload = w.accept("payload") ? w.next("the payload text") : "tcxsim";
                frame = FrameBuilder.udp(src, dst, payload);
            }
            default -> throw new CliError("expected data_in or udp, got '" + source + "'");
        }
        boolean trace = w.accept("trace");
        w.end();
        Session s = session();
        List<PacketTap> taps = new ArrayList<>();
        List<String> tapNames = new ArrayList<>();
        Map<String, Integer> receivedBefore = new LinkedHashMap<>();
        s.sockets.forEach((label, sock) -> receivedBefore.put(label, sock.received().size()));
        try {
            for (var d : s.kernel.devices()) {
                if (!d.kind().equals("loopback")) {
                    taps.add(s.kernel.tap(d.name()));
                    tapNames.add(d.name());
                }
            }
            s.kernel.transmit(dev, frame);
        } catch (BpfException e) {
            taps.forEach(PacketTap::close);
            throw CliError.of("cannot send on " + dev, e);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("device", dev);
        result.put("bytes", frame.length);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < taps.size(); i++) {
            if (!taps.get(i).frames().isEmpty()) {
                seen.add(tapNames.get(i));
            }
            taps.get(i).close();
        }
        result.put("arrived_on", seen);
        List<String> delivered = new ArrayList<>();
        s.sockets.forEach((label, sock) -> {
            if (sock.received().size() > receivedBefore.get(label)) {
                delivered.add(label);
            }
        });
        result.put("delivered_to", delivered);
        if (s.kernel instanceof SimKernel sim && sim.lastTrace() != null) {
            Trace t = sim.lastTrace();
            List<Object> steps = new ArrayList<>();
            for (TraceEvent e : t.events()) {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("kind", e.kind().name().toLowerCase());
                step.put("device", e.device());
                step.put("hook", e.hook());
                if (e.progId() != 0) {
                    step.put("prog_id", e.progId());
                    step.put("prog_name", e.progName());
                    step.put("link_id", e.linkId());
                    step.put("return", e.returnValue());
                }
                step.put("verdict", e.verdict());
                if (e.target() != 0) {
                    step.put("target_ifindex", e.target());
                }
                if (e.reason() != null && !e.reason().isEmpty()) {
                    step.put("reason", e.reason());
                }
                step.put("printk", e.printk());
                step.put("map_writes", e.mapWrites());
                steps.add(step);
            }
            result.put("trace", steps);
            TraceEvent fate = t.fate();
            result.put("fate", fate == null ? "unknown" : fate.toString());
            if (!json()) {
                if (trace) {
                    int n = 1;
                    for (TraceEvent e : t.events()) {
                        String[] lines = e.toString().split("\n");
                        out().printf("%3d  %s%n", n++, lines[0]);
                        for (int i = 1; i < lines.length; i++) {
                            out().println("       " + lines[i].strip());
                        }
                    }
                }
                out().println("fate: " + (fate == null ? "unknown" : fate));
            }
        } else if (!json() && trace) {
            out().println("(the real kernel shows no per-program trace; count runs with maps in your programs)");
        }
        if (!json()) {
            out().println("arrived on: " + (seen.isEmpty() ? "(no device saw it)" : String.join(", ", seen)));
            out().println("delivered to: " + (delivered.isEmpty() ? "(no socket of this session)" : String.join(", ", delivered)));
        }
        printJson(result);
    }
}
