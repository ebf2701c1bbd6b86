package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.PacketTap;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.kernel.sim.SimKernel;
import dev.tcxsim.cli.pcap.PcapPacket;
import dev.tcxsim.cli.pcap.PcapReader;
import dev.tcxsim.cli.pcap.PcapWriter;
import dev.tcxsim.cli.render.ChainHtml;
import dev.tcxsim.cli.render.ChainSvg;
import dev.tcxsim.cli.render.KernelPicture;
import dev.tcxsim.cli.render.NetPicture;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.SimTracePath;
import dev.tcxsim.cli.render.TraceText;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "packet", description = {"Send a frame and see where it goes.",
        "  packet send dev NAME [egress|ingress] {data_in FILE | pcap FILE | udp SRC:PORT DST:PORT [payload TEXT]} [trace]",
        "              [--write-pcap FILE] [--svg FILE] [--html FILE]",
        "  packet listen udp ADDRESS:PORT   (a UDP socket for the rest of the session: delivery becomes visible)",
        "egress (default): the frame leaves through NAME: NAME's egress hook, then (for a veth) the peer's ingress hook,",
        "then local delivery. ingress: the frame arrives on NAME (sent by NAME's veth peer).",
        "'trace' prints every hook, program and verdict on the way. On --kernel linux it prints the programs that ran",
        "(run counters), then what the simulator predicts for the same session and whether the kernel agreed."})
final class PacketCommand extends NounCommand {
    @picocli.CommandLine.Option(names = "--write-pcap", paramLabel = "FILE",
            description = "Write every frame as it arrived on each device (.pcapng: one file, one interface per device; else classic pcap, all devices).")
    Path writePcap;

    @picocli.CommandLine.Option(names = "--svg", paramLabel = "FILE", description = "Draw the devices, chains and this packet's path as SVG.")
    Path svg;

    @picocli.CommandLine.Option(names = "--html", paramLabel = "FILE", description = "The same picture as a self-contained HTML page.")
    Path html;

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
        s.shadowFollow(List.of("packet", "listen", "udp", where), main.err());
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
        String via = dev;
        if (w.accept("ingress")) {
            via = peerOf(dev);
        } else {
            w.accept("egress");
        }
        byte[] frame;
        List<byte[]> frames = new ArrayList<>();
        String source = w.next("data_in FILE, pcap FILE or udp SRC:PORT DST:PORT");
        switch (source) {
            case "data_in" -> {
                String file = w.next("a file with the frame's bytes");
                try {
                    frame = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
                } catch (IOException e) {
                    throw new CliError("cannot read " + file + ": " + e.getMessage());
                }
            }
            case "pcap" -> {
                String file = w.next("a pcap or pcapng file");
                try {
                    List<PcapPacket> packets = PcapReader.readAll(Path.of(file));
                    if (packets.isEmpty()) {
                        throw new CliError("the capture " + file + " holds no frames");
                    }
                    frames.addAll(packets.stream().map(PcapPacket::data).toList());
                    frame = frames.getFirst();
                } catch (IOException e) {
                    throw new CliError("cannot read capture " + file + ": " + e.getMessage());
                }
            }
            case "udp" -> {
                FrameBuilder.Endpoint src = FrameBuilder.Endpoint.parse(w.next("SRC:PORT"));
                FrameBuilder.Endpoint dst = FrameBuilder.Endpoint.parse(w.next("DST:PORT"));
                String payload = w.accept("payload") ? w.next("the payload text") : "tcxsim";
                frame = FrameBuilder.udp(src, dst, payload);
            }
            default -> throw new CliError("expected data_in, pcap or udp, got '" + source + "'");
        }
        if (frames.isEmpty()) {
            frames.add(frame);
        }
        boolean trace = w.accept("trace");
        w.end();
        Session s = session();
        List<Object> results = new ArrayList<>();
        PacketPath lastPath = null;
        try (PcapWriter pcap = writePcap == null ? null
                : PcapWriter.create(writePcap, PcapWriter.Format.forFileName(writePcap.toString()), InstantSource.system())) {
            for (int i = 0; i < frames.size(); i++) {
                if (frames.size() > 1 && !json()) {
                    out().println("frame " + (i + 1) + " of " + frames.size() + " (" + frames.get(i).length + " bytes)");
                }
                SendResult r = sendOne(s, via, frames.get(i), trace, pcap);
                results.add(r.json());
                if (r.path() != null) {
                    lastPath = r.path();
                }
            }
        } catch (IOException e) {
            throw new CliError("cannot write " + writePcap + ": " + e.getMessage());
        }
        if (writePcap != null && !json()) {
            out().println("frames written to " + writePcap);
        }
        drawPictures(s, lastPath);
        printJson(results.size() == 1 ? results.getFirst() : results);
    }

    /** One frame's outcome: its JSON form and, on the simulator, its path for pictures. */
    private record SendResult(Map<String, Object> json, PacketPath path) {
    }

    /**
     * {@code ingress}: the frame arrives on {@code dev}, so it is sent by dev's veth peer (whose
     * egress hook runs first, as it would on a wire); a device without a peer receives nothing.
     */
    private String peerOf(String dev) throws CliError {
        for (var d : session().kernel.devices()) {
            if (d.name().equals(dev)) {
                if (d.peer() == null) {
                    throw new CliError("'ingress' needs a veth: " + dev + " (" + d.kind()
                            + ") has no peer that could send to it; send out of it with 'egress'");
                }
                return d.peer();
            }
        }
        throw new CliError("cannot find device '" + dev + "'", Errno.ENODEV);
    }

    private SendResult sendOne(Session s, String dev, byte[] frame, boolean trace, PcapWriter pcap) throws CliError {
        List<PacketTap> taps = new ArrayList<>();
        List<String> tapNames = new ArrayList<>();
        Map<String, Integer> receivedBefore = new LinkedHashMap<>();
        s.sockets.forEach((label, sock) -> receivedBefore.put(label, sock.received().size()));
        Map<String, Long> runsBefore = s.kernel instanceof SimKernel ? Map.of() : RunCounters.snapshot(s);
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
        try {
            for (int i = 0; i < taps.size(); i++) {
                List<byte[]> got = taps.get(i).frames();
                if (!got.isEmpty()) {
                    seen.add(tapNames.get(i));
                }
                if (pcap != null) {
                    for (byte[] f : got) {
                        pcap.write(tapNames.get(i), f);
                    }
                }
            }
        } catch (IOException e) {
            throw new CliError("cannot write " + writePcap + ": " + e.getMessage());
        } finally {
            taps.forEach(PacketTap::close);
        }
        result.put("arrived_on", seen);
        List<String> delivered = new ArrayList<>();
        s.sockets.forEach((label, sock) -> {
            if (sock.received().size() > receivedBefore.get(label)) {
                delivered.add(label);
            }
        });
        result.put("delivered_to", delivered);
        PacketPath path = null;
        Shadow.Observation observed = null;
        if (s.kernel instanceof SimKernel sim && sim.lastTrace() != null) {
            Map<Integer, String> names = new LinkedHashMap<>();
            s.kernel.devices().forEach(d -> names.put(d.ifindex(), d.name()));
            path = SimTracePath.of(sim.lastTrace().events(), i -> names.getOrDefault(i, "ifindex " + i));
            result.put("trace", TraceText.json(path));
            if (!json()) {
                if (trace) {
                    out().print(TraceText.render(path));
                } else {
                    out().println("fate: " + path.fate().text());
                }
            }
        } else {
            Map<String, Long> runsAfter = RunCounters.snapshot(s);
            List<String> ran = RunCounters.ran(runsBefore, runsAfter);
            result.put("programs_ran", ran);
            if (!json() && trace) {
                out().println("programs that ran (the kernel's run counters; no per-step trace on a real kernel):");
                if (ran.isEmpty()) {
                    out().println("  (none)");
                }
                ran.forEach(line -> out().println("  " + line));
            }
            observed = new Shadow.Observation(RunCounters.runs(runsBefore, runsAfter), seen, delivered);
        }
        if (!json()) {
            out().println("arrived on: " + (seen.isEmpty() ? "(no device saw it)" : String.join(", ", seen)));
            out().println("delivered to: " + (delivered.isEmpty() ? "(no socket of this session)" : String.join(", ", delivered)));
        }
        if (observed != null && s.shadow != null && (trace || json())) {
            predict(s, dev, frame, observed, trace, result);
        } else if (observed != null && s.noShadowWhy != null && trace && !json()) {
            out().println("simulator predicts: (no prediction: " + s.noShadowWhy + ")");
        }
        return new SendResult(result, path);
    }

    /**
     * On the real kernel: sends the same frame in the shadow simulator and, with {@code trace}, prints
     * its prediction and whether the kernel agreed ({@code -j}: "predicted" and "agrees"). A shadow
     * failure only ends the predictions, never the real command.
     */
    private void predict(Session s, String dev, byte[] frame, Shadow.Observation observed, boolean trace,
                         Map<String, Object> result) {
        Shadow.Prediction p;
        try {
            p = s.shadow.predict(dev, frame);
        } catch (CliError | RuntimeException e) {
            main.err().println("simulator could not follow: " + (e instanceof CliError ce
                    ? ce.line().replaceFirst("^Error: ", "") : e.toString()) + "; no more predictions in this session");
            main.err().flush();
            s.stopShadow();
            return;
        }
        result.put("predicted", Shadow.json(p));
        result.put("agrees", Shadow.differences(observed, p.expected()).isEmpty());
        if (!json() && trace) {
            Shadow.render(observed, p).forEach(out()::println);
        }
    }

    private void drawPictures(Session s, PacketPath path) throws CliError {
        if (svg == null && html == null) {
            return;
        }
        try {
            NetPicture picture = KernelPicture.snapshot(s.kernel, s.proc, "tcxsim packet send", path);
            if (svg != null) {
                Files.writeString(svg, ChainSvg.render(picture));
            }
            if (html != null) {
                Files.writeString(html, ChainHtml.render(picture));
            }
        } catch (BpfException e) {
            throw CliError.of("cannot read the chains for the picture", e);
        } catch (IOException e) {
            throw new CliError("cannot write the picture: " + e.getMessage());
        }
    }
}
