package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.LinkInfo;
import dev.tcxsim.kernel.Uapi;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "link", description = {"BPF links (bpftool link words).",
        "  link show [LINK]",
        "  link update LINK PROG [old PROG]",
        "  link detach LINK",
        "  link pin LINK PATH",
        "  link unpin PATH           (remove a pin from the bpffs)",
        "  link close LINK           (drop this session's reference: auto-detach if nothing else holds it)",
        "LINK := [link] id N | [link] pinned PATH | [link] NAME      PROG := id N | pinned PATH | name NAME"})
final class LinkCommand extends NounCommand {
    @Override
    void run(Words w) throws CliError {
        String verb = w.next("a verb (show, update, detach, pin, close)");
        Session s = session();
        switch (verb) {
            case "show" -> show(w, s);
            case "update" -> {
                int fd = link(w, s);
                int newProg = s.prog(w);
                int flags = 0;
                int oldProg = 0;
                if (w.accept("old")) {
                    flags = Uapi.BPF_F_REPLACE;
                    oldProg = s.prog(w);
                }
                w.end();
                try {
                    s.proc.linkUpdate(fd, newProg, flags, oldProg);
                } catch (BpfException e) {
                    throw CliError.of("cannot update link", e);
                }
            }
            case "detach" -> {
                int fd = link(w, s);
                w.end();
                try {
                    s.proc.linkDetach(fd);
                } catch (BpfException e) {
                    throw CliError.of("cannot detach link", e);
                }
            }
            case "pin" -> {
                int fd = link(w, s);
                String path = w.next("a pin path");
                w.end();
                try {
                    s.proc.objPin(fd, path);
                } catch (BpfException e) {
                    throw CliError.of("cannot pin link at " + path, e);
                }
            }
            case "unpin" -> {
                String path = w.next("a pin path");
                w.end();
                try {
                    s.proc.unpin(path);
                } catch (BpfException e) {
                    throw CliError.of("cannot unpin " + path, e);
                }
            }
            case "close" -> {
                int fd = link(w, s);
                w.end();
                LinkInfo before;
                try {
                    before = s.proc.linkInfo(fd);
                } catch (BpfException e) {
                    throw CliError.of("cannot close link", e);
                }
                s.links.values().removeIf(v -> v == fd);
                s.linkNames.values().removeIf(v -> v == fd);
                try {
                    s.proc.close(fd);
                } catch (BpfException e) {
                    throw CliError.of("cannot close link", e);
                }
                explainClose(s, before);
            }
            default -> throw unknownVerb("link", verb, "show, update, detach, pin, unpin, close");
        }
    }

    /** Says whether closing the fd detached the link: the lesson links teach. */
    private void explainClose(Session s, LinkInfo link) {
        if (link.ifindex() == 0 || json()) {
            return; // already defunct: closing changes nothing on any hook
        }
        try {
            int[] owners = s.proc.progQuery(link.ifindex(), link.attachType(), 0, 64).linkIds();
            boolean stillThere = java.util.Arrays.stream(owners).anyMatch(id -> id == link.id());
            out().println(stillThere
                    ? "link " + link.id() + " stays attached: something else still holds it (a pin or another fd)"
                    : "link " + link.id() + " was auto-detached from " + Uapi.attachTypeName(link.attachType())
                    + " of ifindex " + link.ifindex() + ": its last reference is gone");
        } catch (BpfException e) {
            out().println("link " + link.id() + " closed (its hook is gone: " + e.errno() + ")");
        }
    }

    private static int link(Words w, Session s) throws CliError {
        if ("link".equals(w.peek()) && !s.linkNames.containsKey("link")) {
            w.next("link");
        }
        return s.link(w);
    }

    private void show(Words w, Session s) throws CliError {
        List<Integer> fds = new ArrayList<>();
        if (w.hasNext()) {
            fds.add(link(w, s));
        } else {
            fds.addAll(s.links.values());
        }
        w.end();
        List<Object> rows = new ArrayList<>();
        for (int fd : fds) {
            LinkInfo info;
            try {
                info = s.proc.linkInfo(fd);
            } catch (BpfException e) {
                throw CliError.of("cannot read link info", e);
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", info.id());
            row.put("type", info.type() == Uapi.BPF_LINK_TYPE_TCX ? "tcx" : String.valueOf(info.type()));
            row.put("prog_id", info.progId());
            row.put("ifindex", info.ifindex());
            row.put("attach_type", Uapi.attachTypeName(info.attachType()));
            rows.add(row);
            if (!json()) {
                out().println(info.id() + ": " + row.get("type") + "  prog " + info.progId());
                out().println("\tifindex " + info.ifindex() + (info.ifindex() == 0 ? " (defunct: detached or device gone)" : "")
                        + "  attach_type " + row.get("attach_type"));
            }
        }
        printJson(rows);
    }
}
