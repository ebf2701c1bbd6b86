package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.NetPicture.Fate;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.NetPicture.Step;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A packet path as aligned text, one line per step, and as plain maps and lists for {@code -j}:
 * <pre>
 *   1  veth0  egress   tcx      prog 12 "count"        link 3   -1 TCX_NEXT
 *   2  veth0  egress   tcx      prog 14 "policy_v2"    plain     2 TCX_DROP
 *      fate: dropped: TC_EGRESS
 * </pre>
 * Columns are as wide as their widest entry, so a trace of any names stays aligned. A program's
 * printk output and map writes follow its line, indented.
 */
public final class TraceText {
    private TraceText() {
    }

    /** The aligned text, ending with the fate line and a newline. */
    public static String render(PacketPath path) {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < path.steps().size(); i++) {
            Step s = path.steps().get(i);
            rows.add(new String[] {Integer.toString(i + 1), s.device(), hook(s), kind(s), program(s), owner(s),
                    s.ranProgram() ? Integer.toString(s.returnValue()) : "", s.ranProgram() ? s.verdict() : ""});
        }
        int[] width = new int[8];
        for (String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        String indent = " ".repeat(2 + width[0] + 2);
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            StringBuilder line = new StringBuilder("  ");
            line.append(" ".repeat(width[0] - r[0].length())).append(r[0]);
            for (int c = 1; c <= 5; c++) {
                line.append("  ").append(r[c]).append(" ".repeat(width[c] - r[c].length()));
            }
            line.append("  ").append(" ".repeat(width[6] - r[6].length())).append(r[6]).append(' ').append(r[7]);
            sb.append(line.toString().stripTrailing()).append('\n');
            Step s = path.steps().get(i);
            s.printk().forEach(p -> sb.append(indent).append("printk: ").append(p).append('\n'));
            s.mapWrites().forEach(w -> sb.append(indent).append("map write: ").append(w).append('\n'));
        }
        sb.append(indent).append("fate: ").append(path.fate().text()).append('\n');
        return sb.toString();
    }

    /** The same facts as maps and lists of strings and numbers, for the CLI's JSON writer. */
    public static Map<String, Object> json(PacketPath path) {
        List<Object> steps = new ArrayList<>();
        for (int i = 0; i < path.steps().size(); i++) {
            Step s = path.steps().get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", i + 1);
            m.put("kind", s.kind().name().toLowerCase(Locale.ROOT));
            m.put("device", s.device());
            m.put("hook", hook(s));
            switch (s.kind()) {
                case TCX -> {
                    m.put("prog_id", s.progId());
                    m.put("prog_name", s.progName());
                    m.put("link_id", s.linkId());
                }
                case CLASSIC -> {
                    m.put("prio", s.prio());
                    m.put("handle", s.handle());
                    m.put("prog_id", s.progId());
                    m.put("prog_name", s.progName());
                }
                case REDIRECT, TRANSMIT -> m.put("target", s.target());
            }
            if (s.ranProgram()) {
                m.put("return_value", s.returnValue());
                m.put("verdict", s.verdict());
                m.put("printk", s.printk());
                m.put("map_writes", s.mapWrites());
            }
            steps.add(m);
        }
        Fate f = path.fate();
        Map<String, Object> fate = new LinkedHashMap<>();
        fate.put("outcome", f.outcome().name().toLowerCase(Locale.ROOT));
        fate.put("device", f.device());
        fate.put("text", f.text());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", steps);
        out.put("fate", fate);
        return out;
    }

    /** One phrase for what a step is, e.g. {@code tcx prog 12 "count" (link 3)}. */
    static String what(Step s) {
        return switch (s.kind()) {
            case TCX -> "tcx " + program(s) + " (" + owner(s) + ")";
            case CLASSIC -> "classic " + owner(s) + " " + program(s);
            case REDIRECT -> "redirect → " + s.target();
            case TRANSMIT -> "xmit → " + s.target();
        };
    }

    private static String hook(Step s) {
        return s.hook().name().toLowerCase(Locale.ROOT);
    }

    private static String kind(Step s) {
        return switch (s.kind()) {
            case TCX -> "tcx";
            case CLASSIC -> "classic";
            case REDIRECT -> "redirect";
            case TRANSMIT -> "xmit";
        };
    }

    private static String program(Step s) {
        return s.ranProgram() ? "prog " + s.progId() + " \"" + s.progName() + "\"" : "→ " + s.target();
    }

    private static String owner(Step s) {
        return switch (s.kind()) {
            case TCX -> s.linkId() == 0 ? "plain" : "link " + s.linkId();
            case CLASSIC -> "prio " + s.prio() + " handle 0x" + Integer.toHexString(s.handle());
            case REDIRECT, TRANSMIT -> "";
        };
    }
}
