package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.NetPicture.ClassicFilter;
import dev.tcxsim.cli.render.NetPicture.Device;
import dev.tcxsim.cli.render.NetPicture.Hook;
import dev.tcxsim.cli.render.NetPicture.Step;
import dev.tcxsim.cli.render.NetPicture.TcxProg;
import dev.tcxsim.kernel.TcDirection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.tcxsim.cli.render.Markup.escape;

/**
 * Draws a {@link NetPicture} as one self-contained HTML page: the {@link ChainSvg} picture inline,
 * then the same facts as tables (devices, programs, chains in order, the packet path), so that
 * names can be searched, copied and read by a screen reader. Each program's row has the id
 * {@code prog-<id>}, so {@code page.html#prog-12} jumps to it.
 *
 * <p>Nothing is fetched: styles are inline, there is no script, and a Content-Security-Policy
 * forbids any load the page might otherwise attempt.
 */
public final class ChainHtml {
    private final StringBuilder out = new StringBuilder(32_768);

    private ChainHtml() {
    }

    /** The whole page. */
    public static String render(NetPicture picture) {
        ChainHtml page = new ChainHtml();
        page.page(picture);
        return page.out.toString();
    }

    private void page(NetPicture p) {
        out.append("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                """);
        out.append("<title>").append(escape(p.title())).append("</title>\n");
        out.append("""
                <style>
                body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #0f172a; margin: 24px; }
                h1 { font-size: 22px; margin: 0 0 4px; }
                h2 { font-size: 17px; margin: 28px 0 8px; }
                p.lead { color: #475569; margin: 0 0 16px; }
                figure { margin: 0; overflow-x: auto; }
                table { border-collapse: collapse; margin-bottom: 8px; }
                th, td { border: 1px solid #cbd5e1; padding: 4px 10px; text-align: left; vertical-align: top; }
                th { background: #e2e8f0; }
                td.num { text-align: right; font-variant-numeric: tabular-nums; }
                .name { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-weight: bold; }
                tr.classic td { background: #f1f5f9; font-style: italic; }
                .fate { font-weight: bold; padding: 6px 12px; border-radius: 14px; display: inline-block; }
                .fate.good { background: #dcfce7; color: #15803d; }
                .fate.bad { background: #fee2e2; color: #b91c1c; }
                .fate.other { background: #e0e7ff; color: #4338ca; }
                </style>
                </head>
                <body>
                """);
        out.append("<h1>").append(escape(p.title())).append("</h1>\n");
        out.append("<p class=\"lead\">tcx programs run in chain order; the first verdict other than TCX_NEXT ends the ")
                .append("walk. Classic clsact filters run only when every tcx program said TCX_NEXT.");
        if (p.path() != null) {
            out.append(" The packet took ").append(p.path().steps().size()).append(" steps, then: ")
                    .append(escape(p.path().fate().text())).append('.');
        }
        out.append("</p>\n");
        out.append("<figure>\n").append(ChainSvg.element(p, false)).append("</figure>\n");
        devices(p);
        programs(p);
        chains(p);
        if (p.path() != null) {
            path(p.path());
        }
        out.append("</body>\n</html>\n");
    }

    private void devices(NetPicture p) {
        out.append("<h2>Devices</h2>\n<table id=\"devices\">\n<tr><th>ifindex</th><th>name</th><th>kind</th><th>peer</th></tr>\n");
        for (Device d : p.devices()) {
            row(num(d.ifindex()), cell(d.name()), cell(d.kind()), cell(d.peer() == null ? "" : d.peer()));
        }
        out.append("</table>\n");
    }

    /** One row per program id (unique, so the row can carry the id), with every place it is attached. */
    private void programs(NetPicture p) {
        Map<Integer, String> names = new LinkedHashMap<>();
        Map<Integer, List<String>> places = new LinkedHashMap<>();
        for (Device d : p.devices()) {
            for (TcDirection dir : ChainLayout.rowOrder()) {
                String where = d.name() + " " + dir.name().toLowerCase(Locale.ROOT);
                for (TcxProg t : d.hook(dir).tcx()) {
                    names.putIfAbsent(t.progId(), t.progName());
                    places.computeIfAbsent(t.progId(), k -> new ArrayList<>())
                            .add(where + " tcx position " + t.position() + " (" + t.owner() + ")");
                }
                for (ClassicFilter f : d.hook(dir).classic()) {
                    names.putIfAbsent(f.progId(), f.progName());
                    places.computeIfAbsent(f.progId(), k -> new ArrayList<>())
                            .add(where + " classic prio " + f.prio() + " handle 0x" + Integer.toHexString(f.handle())
                                    + (f.directAction() ? " da" : ""));
                }
            }
        }
        out.append("<h2>Programs</h2>\n<table id=\"programs\">\n<tr><th>id</th><th>name</th><th>attached at</th></tr>\n");
        for (Map.Entry<Integer, String> e : names.entrySet()) {
            out.append("<tr id=\"prog-").append(e.getKey()).append("\">").append(num(e.getKey()))
                    .append("<td class=\"name\">").append(escape(e.getValue())).append("</td>")
                    .append(cell(String.join("; ", places.get(e.getKey())))).append("</tr>\n");
        }
        out.append("</table>\n");
    }

    private void chains(NetPicture p) {
        out.append("<h2>Chains, in the order they run</h2>\n<table id=\"chains\">\n<tr><th>device</th><th>hook</th>")
                .append("<th>revision</th><th>order</th><th>what</th><th>program</th><th>id</th><th>owner</th></tr>\n");
        for (Device d : p.devices()) {
            for (TcDirection dir : ChainLayout.rowOrder()) {
                Hook h = d.hook(dir);
                String hook = dir.name().toLowerCase(Locale.ROOT);
                if (h.tcx().isEmpty() && h.classic().isEmpty()) {
                    row(cell(d.name()), cell(hook), num(h.revision()), cell(""), cell("nothing attached"), cell(""),
                            cell(""), cell(""));
                }
                for (TcxProg t : h.tcx()) {
                    row(cell(d.name()), cell(hook), num(h.revision()), num(t.position()), cell("tcx"),
                            "<td class=\"name\">" + escape(t.progName()) + "</td>", num(t.progId()), cell(t.owner()));
                }
                for (ClassicFilter f : h.classic()) {
                    out.append("<tr class=\"classic\">").append(cell(d.name())).append(cell(hook))
                            .append(num(h.revision())).append(cell("prio " + f.prio()))
                            .append(cell("classic, handle 0x" + Integer.toHexString(f.handle())))
                            .append("<td class=\"name\">").append(escape(f.progName())).append("</td>")
                            .append(num(f.progId())).append(cell(f.directAction() ? "da" : "actions")).append("</tr>\n");
                }
            }
        }
        out.append("</table>\n");
    }

    private void path(NetPicture.PacketPath path) {
        out.append("<h2>Packet path</h2>\n<table id=\"path\">\n<tr><th>step</th><th>device</th><th>hook</th>")
                .append("<th>what</th><th>verdict</th><th>output</th></tr>\n");
        List<Step> steps = path.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            List<String> output = new ArrayList<>();
            s.printk().forEach(l -> output.add("printk: " + l));
            s.mapWrites().forEach(w -> output.add("map write: " + w));
            row(num(i + 1), cell(s.device()), cell(s.hook().name().toLowerCase(Locale.ROOT)), cell(TraceText.what(s)),
                    cell(s.ranProgram() ? s.returnValue() + " " + s.verdict() : ""), cell(String.join("; ", output)));
        }
        out.append("</table>\n");
        String css = switch (path.fate().outcome()) {
            case DELIVERED, TRANSMITTED -> "good";
            case DROPPED -> "bad";
            case REDIRECTED, CONSUMED -> "other";
        };
        out.append("<p>Fate: <span class=\"fate ").append(css).append("\" id=\"fate\">").append(escape(path.fate().text()))
                .append("</span></p>\n");
    }

    private void row(String... cells) {
        out.append("<tr>");
        for (String c : cells) {
            out.append(c);
        }
        out.append("</tr>\n");
    }

    private static String cell(String text) {
        return "<td>" + escape(text) + "</td>";
    }

    private static String num(long n) {
        return "<td class=\"num\">" + n + "</td>";
    }
}
