package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.DeviceInfo;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.TcFilter;
import dev.tcxsim.kernel.Uapi;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "net", description = {"tcx attachments (bpftool net words).",
        "  net attach {tcx_ingress|tcx_egress} PROG dev NAME [before [PROG|LINK] | after [PROG|LINK] | replace PROG]",
        "             [expected_revision N] [link [pin PATH] [as NAME]]",
        "  net detach {tcx_ingress|tcx_egress} [PROG] dev NAME [before [PROG|LINK] | after [PROG|LINK]] [expected_revision N]",
        "  net show [dev NAME] [--svg FILE] [--html FILE]",
        "  net history dev NAME      (every revision of the device's hooks in this session, failures included)",
        "PROG := id N | pinned PATH | name NAME      LINK := link id N | link pinned PATH | link NAME",
        "'link as NAME' gives the new link a name this session can use instead of its id.",
        "before/after with no object mean head/tail; 'link' creates a BPF link instead of a plain attachment."})
final class NetCommand extends NounCommand {
    @picocli.CommandLine.Option(names = "--svg", paramLabel = "FILE", description = "net show: also draw the devices and chains as SVG.")
    java.nio.file.Path svg;

    @picocli.CommandLine.Option(names = "--html", paramLabel = "FILE", description = "net show: the same picture as a self-contained HTML page.")
    java.nio.file.Path html;

    /** The parsed position words shared by attach and detach. */
    private record Position(int flags, int relative, int replaceFd, long expectedRevision, boolean link, String pin,
                            String linkName) {
    }

    @Override
    void run(Words w) throws CliError {
        String verb = w.next("a verb (attach, detach, show)");
        switch (verb) {
            case "attach" -> attach(w);
            case "detach" -> detach(w);
            case "show" -> show(w);
            case "history" -> HistoryCommand.print(session(), w, out(), json());
            default -> throw unknownVerb("net", verb, "attach, detach, show, history");
        }
    }

    static int attachType(String word) throws CliError {
        return switch (word) {
            case "tcx_ingress", "tcx/ingress", "ingress" -> Uapi.BPF_TCX_INGRESS;
            case "tcx_egress", "tcx/egress", "egress" -> Uapi.BPF_TCX_EGRESS;
            default -> throw new CliError("unknown attach type '" + word + "' (tcx_ingress or tcx_egress)");
        };
    }

    private static boolean startsProg(String word) {
        return "id".equals(word) || "pinned".equals(word) || "name".equals(word);
    }

    /** Parses [before|after [PROG|LINK]] [replace PROG] [expected_revision N] [link [pin PATH]] in any order. */
    private Position position(Words w, Session s, boolean allowCreateLink) throws CliError {
        int flags = 0;
        int relative = 0;
        int replaceFd = 0;
        long revision = 0;
        boolean link = false;
        String pin = null;
        String linkName = null;
        while (w.hasNext()) {
            String word = w.next("an option");
            switch (word) {
                case "before", "after" -> {
                    flags |= word.equals("before") ? Uapi.BPF_F_BEFORE : Uapi.BPF_F_AFTER;
                    if (startsProg(w.peek())) {
                        if (w.peek().equals("id")) {
                            w.next("id");
                            flags |= Uapi.BPF_F_ID;
                            relative = w.nextInt("program id");
                        } else {
                            relative = s.prog(w);
                        }
                    } else if ("link".equals(w.peek()) && isRelativeLink(w, s)) {
                        w.next("link");
                        flags |= Uapi.BPF_F_LINK;
                        if (w.accept("id")) {
                            flags |= Uapi.BPF_F_ID;
                            relative = w.nextInt("link id");
                        } else {
                            relative = s.link(w);
                        }
                    }
                }
                case "replace" -> {
                    flags |= Uapi.BPF_F_REPLACE;
                    replaceFd = s.prog(w);
                }
                case "expected_revision" -> revision = w.nextLong("expected revision");
                case "link" -> {
                    if (!allowCreateLink) {
                        throw new CliError("'link' (create a BPF link) only goes with 'net attach'");
                    }
                    link = true;
                    while (w.peek() != null && (w.peek().equals("pin") || w.peek().equals("as"))) {
                        if (w.accept("pin")) {
                            pin = w.next("a pin path");
                        } else {
                            w.next("as");
                            linkName = w.next("a name for the link");
                        }
                    }
                }
                default -> throw new CliError("unexpected word '" + word + "'");
            }
        }
        return new Position(flags, relative, replaceFd, revision, link, pin, linkName);
    }

    /** "link" followed by id/pinned/a link name is a relative link; otherwise "link" creates one. */
    private static boolean isRelativeLink(Words w, Session s) {
        return s.startsLink(w.peek(1));
    }

    private void attach(Words w) throws CliError {
        Session s = session();
        int type = attachType(w.next("an attach type (tcx_ingress, tcx_egress)"));
        int progFd = s.prog(w);
        w.expect("dev");
        String dev = w.next("a device name");
        int ifindex = s.ifindex(dev);
        Position p = position(w, s, true);
        String what = (p.link ? "cannot create tcx link" : "cannot attach program") + " to " + dev + " "
                + Uapi.attachTypeName(type);
        try {
            if (p.link) {
                int linkFd = s.proc.linkCreate(progFd, ifindex, type, p.flags, p.relative, p.expectedRevision);
                int id = s.proc.linkInfo(linkFd).id();
                s.links.put(id, linkFd);
                if (p.linkName != null) {
                    s.linkNames.put(p.linkName, linkFd);
                }
                if (p.pin != null) {
                    s.proc.objPin(linkFd, p.pin);
                }
                if (!printJson(Map.of("link_id", id))) {
                    out().println("link id " + id);
                }
            } else {
                s.proc.progAttach(ifindex, type, progFd, p.flags, p.relative, p.replaceFd, p.expectedRevision);
            }
        } catch (BpfException e) {
            throw CliError.of(what, e);
        }
    }

    private void detach(Words w) throws CliError {
        Session s = session();
        int type = attachType(w.next("an attach type (tcx_ingress, tcx_egress)"));
        int progFd = 0;
        if (startsProg(w.peek())) {
            progFd = s.prog(w);
        }
        w.expect("dev");
        String dev = w.next("a device name");
        int ifindex = s.ifindex(dev);
        Position p = position(w, s, false);
        try {
            s.proc.progDetach(ifindex, type, progFd, p.flags, p.relative, p.expectedRevision);
        } catch (BpfException e) {
            throw CliError.of("cannot detach from " + dev + " " + Uapi.attachTypeName(type), e);
        }
    }

    private void show(Words w) throws CliError {
        Session s = session();
        String only = null;
        if (w.accept("dev")) {
            only = w.next("a device name");
            s.ifindex(only);
        }
        w.end();
        List<Object> json = new ArrayList<>();
        for (DeviceInfo d : s.kernel.devices()) {
            if (only != null ? !d.name().equals(only) : d.kind().equals("loopback")) {
                continue;
            }
            Map<String, Object> dj = new LinkedHashMap<>();
            dj.put("ifindex", d.ifindex());
            dj.put("name", d.name());
            if (!json()) {
                out().println(d.name() + " (ifindex " + d.ifindex() + ")" + (d.peer() != null ? " peer " + d.peer() : ""));
            }
            for (int type : new int[] {Uapi.BPF_TCX_INGRESS, Uapi.BPF_TCX_EGRESS}) {
                QueryResult q;
                try {
                    q = s.proc.progQuery(d.ifindex(), type, 0, 64);
                } catch (BpfException e) {
                    throw CliError.of("cannot query " + d.name() + " " + Uapi.attachTypeName(type), e);
                }
                List<Object> chain = new ArrayList<>();
                int[] progIds = q.progIds();
                int[] linkIds = q.linkIds();
                if (!json()) {
                    out().println("  " + Uapi.attachTypeName(type) + "  revision " + q.revision() + "  count " + q.count());
                }
                for (int i = 0; i < progIds.length; i++) {
                    String name = s.progName(progIds[i]);
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("position", i);
                    e.put("prog_id", progIds[i]);
                    e.put("name", name);
                    e.put("link_id", linkIds[i]);
                    chain.add(e);
                    if (!json()) {
                        out().printf("    %d: prog id %d  name %s  %s%n", i, progIds[i], name,
                                linkIds[i] != 0 ? "link id " + linkIds[i] : "plain");
                    }
                }
                Map<String, Object> hook = new LinkedHashMap<>();
                hook.put("revision", q.revision());
                hook.put("chain", chain);
                dj.put(Uapi.attachTypeName(type), hook);
            }
            for (TcDirection dir : TcDirection.values()) {
                List<TcFilter> filters;
                try {
                    filters = s.kernel.filters(d.name(), dir);
                } catch (BpfException e) {
                    continue; // no clsact qdisc: nothing classic to show
                }
                List<Object> fj = new ArrayList<>();
                if (!filters.isEmpty() && !json()) {
                    out().println("  clsact " + dir.name().toLowerCase() + " (classic tc, runs after the tcx chain)");
                }
                for (TcFilter f : filters) {
                    fj.add(Map.of("prio", f.prio(), "handle", f.handle(), "prog_id", f.progId(), "name", f.progName(),
                            "da", f.directAction()));
                    if (!json()) {
                        out().printf("    prio %d handle 0x%x bpf%s  prog id %d name %s%n", f.prio(), f.handle(),
                                f.directAction() ? " da" : "", f.progId(), f.progName());
                    }
                }
                dj.put("clsact_" + dir.name().toLowerCase(), fj);
            }
            json.add(dj);
        }
        printJson(json);
        if (svg != null || html != null) {
            try {
                var picture = dev.tcxsim.cli.render.KernelPicture.snapshot(s.kernel, s.proc, "tcxsim net show", null);
                if (svg != null) {
                    java.nio.file.Files.writeString(svg, dev.tcxsim.cli.render.ChainSvg.render(picture));
                }
                if (html != null) {
                    java.nio.file.Files.writeString(html, dev.tcxsim.cli.render.ChainHtml.render(picture));
                }
            } catch (BpfException e) {
                throw CliError.of("cannot read the chains for the picture", e);
            } catch (java.io.IOException e) {
                throw new CliError("cannot write the picture: " + e.getMessage());
            }
        }
    }
}
