package dev.tcxsim.cli;

import dev.tcxsim.cli.explain.TcxRequest;
import dev.tcxsim.cli.explain.TcxRequest.Op;
import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.DeviceInfo;
import dev.tcxsim.kernel.LinkInfo;

import java.util.List;

/**
 * Reads a CLI line ({@code net attach ...}, {@code net detach ...}, {@code link update ...},
 * {@code link detach ...}) into a {@link TcxRequest} with ids instead of names, without changing
 * anything in the session: the same grammar as {@link NetCommand} and {@link LinkCommand}.
 * Objects that cannot be resolved become id 0 (the command itself then fails and says why).
 */
final class TcxRequests {
    private TcxRequests() {
    }

    /** The request of {@code words} (noun first), or null when the line is no tcx hook operation. */
    static TcxRequest parse(Session s, List<String> words) {
        if (words.size() < 2) {
            return null;
        }
        try {
            Words w = new Words(words);
            String noun = w.next("noun");
            String verb = w.next("verb");
            return switch (noun + " " + verb) {
                case "net attach", "net detach" -> net(s, w, verb.equals("attach"));
                case "link update", "link detach" -> link(s, w, verb.equals("update"));
                default -> null;
            };
        } catch (CliError e) {
            return null;
        }
    }

    private static boolean startsProg(String word) {
        return "id".equals(word) || "pinned".equals(word) || "name".equals(word);
    }

    /** The id of PROG (id N | pinned PATH | name NAME); 0 when it cannot be found. */
    static int progId(Session s, Words w) throws CliError {
        String how = w.next("a program");
        String arg = w.next("a program " + how);
        try {
            return switch (how) {
                case "id" -> (int) Long.parseLong(arg);
                case "pinned" -> {
                    int fd = s.proc.objGet(arg);
                    try {
                        yield s.proc.progInfo(fd).id();
                    } finally {
                        s.proc.close(fd);
                    }
                }
                case "name" -> {
                    Integer fd = s.progs.get(arg);
                    if (fd != null) {
                        yield s.proc.progInfo(fd).id();
                    }
                    yield s.earlierProgs.getOrDefault(arg, 0);
                }
                default -> 0;
            };
        } catch (BpfException | NumberFormatException e) {
            return 0;
        }
    }

    /** The link after the word 'link': (id N | pinned PATH | NAME) → its info, or null. */
    private static LinkInfo linkInfo(Session s, Words w) throws CliError {
        String how = w.next("a link");
        try {
            Integer named = s.linkNames.get(how);
            if (named != null) {
                return s.proc.linkInfo(named);
            }
            int fd;
            if (s.earlierLinks.containsKey(how)) {
                fd = s.proc.linkGetFdById(s.earlierLinks.get(how));
            } else if (how.equals("id")) {
                int id = (int) Long.parseLong(w.next("link id"));
                Integer held = s.links.get(id);
                if (held != null) {
                    return s.proc.linkInfo(held);
                }
                fd = s.proc.linkGetFdById(id);
            } else if (how.equals("pinned")) {
                fd = s.proc.objGet(w.next("a pin path"));
            } else {
                return null;
            }
            try {
                return s.proc.linkInfo(fd);
            } finally {
                s.proc.close(fd);
            }
        } catch (BpfException | NumberFormatException e) {
            return null;
        }
    }

    private static TcxRequest net(Session s, Words w, boolean attach) throws CliError {
        int type = NetCommand.attachType(w.next("an attach type"));
        int prog = 0;
        if (attach || startsProg(w.peek())) {
            prog = progId(s, w);
        }
        w.expect("dev");
        String dev = w.next("a device");
        boolean before = false;
        boolean after = false;
        boolean relLink = false;
        int rel = 0;
        boolean replace = false;
        int old = 0;
        long rev = 0;
        boolean createLink = false;
        while (w.hasNext()) {
            String word = w.next("an option");
            switch (word) {
                case "before", "after" -> {
                    before |= word.equals("before");
                    after |= word.equals("after");
                    if (startsProg(w.peek())) {
                        rel = progId(s, w);
                    } else if ("link".equals(w.peek()) && s.startsLink(w.peek(1))) {
                        w.next("link");
                        relLink = true;
                        LinkInfo li = linkInfo(s, w);
                        rel = li == null ? 0 : li.id();
                    }
                }
                case "replace" -> {
                    replace = true;
                    old = progId(s, w);
                }
                case "expected_revision" -> rev = w.nextLong("revision");
                case "link" -> {
                    createLink = true;
                    while (w.accept("pin") || w.accept("as")) {
                        w.next("a value");
                    }
                }
                default -> {
                    return null;
                }
            }
        }
        Op op = attach ? (createLink ? Op.LINK_CREATE : Op.PROG_ATTACH) : Op.PROG_DETACH;
        TcxRequest r = TcxRequest.of(op, dev, type).withProg(prog).withPosition(before, after, relLink, rel)
                .withExpectedRevision(rev);
        return replace ? r.withReplace(old) : r;
    }

    private static TcxRequest link(Session s, Words w, boolean update) throws CliError {
        if ("link".equals(w.peek()) && !s.linkNames.containsKey("link")) {
            w.next("link");
        }
        LinkInfo li = linkInfo(s, w);
        if (li == null) {
            return null;
        }
        String dev = "?";
        for (DeviceInfo d : s.kernel.devices()) {
            if (d.ifindex() == li.ifindex()) {
                dev = d.name();
            }
        }
        TcxRequest r = TcxRequest.of(update ? Op.LINK_UPDATE : Op.LINK_DETACH, dev, li.attachType())
                .withLink(li.id(), li.ifindex() == 0 ? 0 : li.progId(), li.ifindex() == 0);
        if (update) {
            r = r.withProg(progId(s, w));
            if (w.accept("old")) {
                r = r.withReplace(progId(s, w));
            }
        }
        return r;
    }
}
