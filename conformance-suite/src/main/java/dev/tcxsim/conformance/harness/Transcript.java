package dev.tcxsim.conformance.harness;

import dev.tcxsim.kernel.LinkInfo;
import dev.tcxsim.kernel.LoadedObjectFds;
import dev.tcxsim.kernel.ProgInfo;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.kernel.TcFilter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one backend answered during one case: a line per call, in order, with the outcome in a
 * backend-neutral form. Program and link ids are renamed P1, P2, ... and L1, L2, ... in order of
 * first appearance, and returned fds are written as "fd", because raw ids and fd numbers
 * legitimately differ between kernels while the relations between them must not.
 */
public final class Transcript {
    private final List<String> lines = new ArrayList<>();
    private final Map<Integer, String> progIds = new HashMap<>();
    private final Map<Integer, String> linkIds = new HashMap<>();
    private boolean completed;

    synchronized void add(String line) {
        lines.add(line);
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    void markCompleted() {
        completed = true;
    }

    /** True when the case ran to its end on this backend (no assertion failed, nothing threw). */
    public boolean completed() {
        return completed;
    }

    String prog(int id) {
        return id == 0 ? "0" : progIds.computeIfAbsent(id, k -> "P" + (progIds.size() + 1));
    }

    String link(int id) {
        return id == 0 ? "0" : linkIds.computeIfAbsent(id, k -> "L" + (linkIds.size() + 1));
    }

    /** The backend-neutral rendering of a call's return value. */
    String render(String method, Object value) {
        if (value == null) {
            return "ok";
        }
        return switch (value) {
            case QueryResult q -> {
                StringBuilder sb = new StringBuilder("count=" + q.count() + " revision=" + q.revision());
                if (q.errno() != 0) {
                    sb.append(" errno=").append(q.errno());
                }
                if (q.attachFlags() != 0) {
                    sb.append(" attach_flags=").append(q.attachFlags());
                }
                List<String> ps = new ArrayList<>();
                for (int id : q.progIds()) {
                    ps.add(prog(id));
                }
                List<String> ls = new ArrayList<>();
                for (int id : q.linkIds()) {
                    ls.add(link(id));
                }
                yield sb.append(" progs=").append(ps).append(" links=").append(ls).toString();
            }
            case LinkInfo l -> "link " + link(l.id()) + " type=" + l.type() + " prog=" + prog(l.progId())
                    + " ifindex=" + l.ifindex() + " attach_type=" + l.attachType();
            case ProgInfo p -> "prog " + prog(p.id()) + " type=" + p.type() + " name=" + p.name();
            case TcFilter f -> "filter prio=" + f.prio() + " handle=" + f.handle() + " prog=" + prog(f.progId())
                    + " da=" + f.directAction();
            case LoadedObjectFds o -> "maps=" + new TreeSet<>(o.mapFds().keySet()) + " progs=" + new TreeSet<>(o.progFds().keySet());
            case byte[] b -> HexFormat.of().formatHex(b);
            case List<?> list -> {
                List<String> parts = new ArrayList<>();
                for (Object o : list) {
                    parts.add(render(method, o));
                }
                yield parts.toString();
            }
            case Integer fd when returnsFd(method) -> "fd";
            default -> String.valueOf(value);
        };
    }

    private static boolean returnsFd(String method) {
        return switch (method) {
            case "progLoad", "mapCreate", "linkCreate", "progGetFdById", "linkGetFdById", "objGet" -> true;
            default -> false;
        };
    }
}
