package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.ChainLayout.Column;
import dev.tcxsim.cli.render.ChainLayout.HookPlaces;
import dev.tcxsim.cli.render.ChainLayout.Rect;
import dev.tcxsim.cli.render.NetPicture.ClassicFilter;
import dev.tcxsim.cli.render.NetPicture.Fate;
import dev.tcxsim.cli.render.NetPicture.Hook;
import dev.tcxsim.cli.render.NetPicture.Step;
import dev.tcxsim.cli.render.NetPicture.TcxProg;
import dev.tcxsim.kernel.TcDirection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.tcxsim.cli.render.Markup.escape;
import static dev.tcxsim.cli.render.Markup.fit;
import static dev.tcxsim.cli.render.Markup.num;

/**
 * Draws a {@link NetPicture} as one self-contained SVG document: no fonts, scripts, images or
 * stylesheets from elsewhere, only generic font families, so a browser shows it offline exactly as
 * written. Geometry comes from {@link ChainLayout}; this class only chooses colours and text.
 *
 * <p>A packet path is drawn on top: every program that ran is outlined and gets a numbered badge
 * (the step number) and its verdict; arrows join the steps in order, redirects and transmits label
 * the arrow they cause, and the fate is a coloured box on the device where the packet ended.
 */
public final class ChainSvg {
    static final String LINK_FILL = "#dbeafe";
    static final String LINK_STROKE = "#1d4ed8";
    static final String PLAIN_FILL = "#fef3c7";
    static final String PLAIN_STROKE = "#b45309";
    static final String CLASSIC_FILL = "#f1f5f9";
    static final String CLASSIC_STROKE = "#64748b";
    static final String PATH = "#ea580c";
    static final String INK = "#0f172a";
    static final String DIM = "#64748b";
    private static final int NAME_CHARS = 24;

    private final NetPicture picture;
    private final ChainLayout layout;
    private final StringBuilder out = new StringBuilder(16_384);

    private final boolean heading;

    private ChainSvg(NetPicture picture, boolean heading) {
        this.picture = picture;
        this.heading = heading;
        this.layout = new ChainLayout(picture, heading);
    }

    /** The picture as a standalone SVG document (with an XML declaration). */
    public static String render(NetPicture picture) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + element(picture, true);
    }

    /**
     * The picture as an {@code <svg>} element without XML declaration, for embedding in HTML; without
     * {@code heading} the title and summary lines are left to the page.
     */
    static String element(NetPicture picture, boolean heading) {
        ChainSvg svg = new ChainSvg(picture, heading);
        svg.draw();
        return svg.out.toString();
    }

    private void draw() {
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(num(layout.width))
                .append("\" height=\"").append(num(layout.height)).append("\" viewBox=\"0 0 ")
                .append(num(layout.width)).append(' ').append(num(layout.height))
                .append("\" font-family=\"DejaVu Sans, Liberation Sans, Arial, sans-serif\" role=\"img\">\n");
        out.append("<title>").append(escape(picture.title())).append("</title>\n");
        out.append("<defs><marker id=\"arrowhead\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\"")
                .append(" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"")
                .append(PATH).append("\"/></marker></defs>\n");
        rect(new Rect(0, 0, layout.width, layout.height), "fill=\"#ffffff\"");
        if (heading) {
            heading();
        }
        for (int[] pair : layout.pairs) {
            cable(layout.columns.get(pair[0]), layout.columns.get(pair[1]));
        }
        for (Column c : layout.columns) {
            device(c);
        }
        if (picture.path() != null) {
            new PathOverlay().draw();
        }
        legend();
        out.append("</svg>\n");
    }

    private void heading() {
        text(ChainLayout.MARGIN, ChainLayout.MARGIN + 20, picture.title(), "font-size=\"20\" font-weight=\"bold\"");
        String sub = picture.path() == null
                ? "tcx chains run first, in order; classic clsact filters run only if every tcx program said TCX_NEXT"
                : "packet path: " + picture.path().steps().size() + " steps, then " + picture.path().fate().text();
        text(ChainLayout.MARGIN, ChainLayout.MARGIN + 46, sub, "font-size=\"14\" fill=\"" + DIM + "\"");
    }

    private void cable(Column left, Column right) {
        double y = left.header().cy();
        line(left.box().right(), y, right.box().x(), y, "stroke=\"#475569\" stroke-width=\"5\" stroke-linecap=\"round\"");
        double mid = (left.box().right() + right.box().x()) / 2;
        text(mid, y - 10, "veth pair", "font-size=\"12\" text-anchor=\"middle\" fill=\"#475569\"");
    }

    private void device(Column c) {
        NetPicture.Device d = c.device();
        out.append("<g class=\"device\" data-device=\"").append(escape(d.name())).append("\">\n");
        rect(c.box(), "rx=\"12\" fill=\"#f8fafc\" stroke=\"#334155\" stroke-width=\"2\"");
        rect(c.header(), "rx=\"12\" fill=\"#e2e8f0\"");
        line(c.box().x(), c.header().bottom(), c.box().right(), c.header().bottom(), "stroke=\"#334155\"");
        text(c.box().x() + 16, c.header().y() + 24, d.name(), "font-size=\"18\" font-weight=\"bold\" fill=\"" + INK + "\"");
        String about = "ifindex " + d.ifindex() + " · " + d.kind() + (d.peer() != null ? " · peer " + d.peer() : "");
        text(c.box().x() + 16, c.header().y() + 44, about, "font-size=\"12\" fill=\"#334155\"");
        boolean first = true;
        for (TcDirection dir : ChainLayout.rowOrder()) {
            HookPlaces places = c.hook(dir);
            if (!first) {
                line(c.box().x() + 10, places.area().y(), c.box().right() - 10, places.area().y(),
                        "stroke=\"#cbd5e1\" stroke-dasharray=\"4 4\"");
            }
            first = false;
            hook(dir, d.hook(dir), places);
        }
        out.append("</g>\n");
    }

    private void hook(TcDirection dir, Hook hook, HookPlaces places) {
        Rect l = places.label();
        String name = dir.name().toLowerCase(Locale.ROOT);
        text(l.x(), l.y() + 20, name.toUpperCase(Locale.ROOT), "font-size=\"13\" font-weight=\"bold\" fill=\"" + INK + "\"");
        text(l.right(), l.y() + 20, "tcx chain · revision " + hook.revision(),
                "font-size=\"12\" text-anchor=\"end\" fill=\"" + DIM + "\"");
        if (places.emptyTcx() != null) {
            Rect e = places.emptyTcx();
            rect(e, "rx=\"6\" fill=\"none\" stroke=\"#cbd5e1\" stroke-dasharray=\"3 3\"");
            text(e.cx(), e.y() + 19, "no tcx programs", "font-size=\"12\" font-style=\"italic\" text-anchor=\"middle\" fill=\""
                    + DIM + "\"");
        }
        for (int i = 0; i < hook.tcx().size(); i++) {
            program(hook.tcx().get(i), places.tcx().get(i));
        }
        Rect cl = places.classicLabel();
        text(cl.x(), cl.y() + 17, "classic tc (clsact " + name + ")" + (hook.classic().isEmpty() ? ": none" : ""),
                "font-size=\"12\" fill=\"" + DIM + "\"");
        for (int i = 0; i < hook.classic().size(); i++) {
            filter(hook.classic().get(i), places.classic().get(i));
        }
    }

    private void program(TcxProg p, Rect r) {
        String fill = p.plain() ? PLAIN_FILL : LINK_FILL;
        String stroke = p.plain() ? PLAIN_STROKE : LINK_STROKE;
        out.append("<g class=\"tcx-prog\" data-prog-id=\"").append(p.progId()).append("\">");
        out.append("<title>").append(escape(p.progName() + " (id " + p.progId() + ", " + p.owner() + ", position "
                + p.position() + ")")).append("</title>\n");
        rect(r, "rx=\"7\" fill=\"" + fill + "\" stroke=\"" + stroke + "\" stroke-width=\"1.5\"");
        circle(r.x() + 19, r.cy(), 12, "fill=\"" + stroke + "\"");
        text(r.x() + 19, r.cy() + 4.5, Integer.toString(p.position()),
                "font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#ffffff\"");
        text(r.x() + 40, r.y() + 19, fit(p.progName(), NAME_CHARS), "font-size=\"14\" font-weight=\"bold\" fill=\"" + INK
                + "\"");
        text(r.x() + 40, r.y() + 37, "id " + p.progId() + " · " + p.owner(), "font-size=\"12\" fill=\"" + stroke + "\"");
        out.append("</g>\n");
    }

    private void filter(ClassicFilter f, Rect r) {
        out.append("<g class=\"classic-filter\" data-prog-id=\"").append(f.progId()).append("\">");
        out.append("<title>").append(escape(f.progName() + " (classic cls_bpf, prio " + f.prio() + ", handle 0x"
                + Integer.toHexString(f.handle()) + ", id " + f.progId() + (f.directAction() ? ", da" : "") + ")"))
                .append("</title>\n");
        rect(r, "rx=\"4\" fill=\"" + CLASSIC_FILL + "\" stroke=\"" + CLASSIC_STROKE
                + "\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"");
        text(r.x() + 12, r.y() + 16, fit(f.progName(), NAME_CHARS + 4), "font-size=\"13\" font-weight=\"bold\" fill=\""
                + INK + "\"");
        text(r.x() + 12, r.y() + 32, "prio " + f.prio() + " · handle 0x" + Integer.toHexString(f.handle()) + " · id "
                + f.progId() + (f.directAction() ? " · da" : ""), "font-size=\"11.5\" fill=\"#334155\"");
        out.append("</g>\n");
    }

    private void legend() {
        double y = layout.legendY;
        double x = ChainLayout.MARGIN;
        x = swatch(x, y, "rx=\"4\" fill=\"" + LINK_FILL + "\" stroke=\"" + LINK_STROKE + "\"", "tcx program owned by a link");
        x = swatch(x, y, "rx=\"4\" fill=\"" + PLAIN_FILL + "\" stroke=\"" + PLAIN_STROKE + "\"",
                "tcx program, plain attachment");
        x = swatch(x, y, "rx=\"2\" fill=\"" + CLASSIC_FILL + "\" stroke=\"" + CLASSIC_STROKE
                + "\" stroke-dasharray=\"4 2\"", "classic cls_bpf filter");
        if (picture.path() != null) {
            swatch(x, y, "rx=\"4\" fill=\"none\" stroke=\"" + PATH + "\" stroke-width=\"3\"", "ran for this packet");
        }
        text(ChainLayout.MARGIN, y + 38, "dark circle: position in the tcx chain (0 runs first)"
                + (picture.path() != null ? "; orange circle: step of the packet's way" : ""),
                "font-size=\"12\" fill=\"" + DIM + "\"");
    }

    private double swatch(double x, double y, String style, String label) {
        rect(new Rect(x, y, 28, 18), style);
        text(x + 36, y + 14, label, "font-size=\"12\" fill=\"" + INK + "\"");
        return x + 36 + label.length() * 7 + 28;
    }

    /** The packet path, drawn after the devices so it lies on top of them. */
    private final class PathOverlay {
        private record Node(Rect rect, Column column) {
        }

        /** A redirect or transmit: drawn on the arrow it causes, as its step badge and two short lines. */
        private record Label(int step, String verb, String target) {
        }

        private final Map<Rect, Integer> visits = new HashMap<>();

        void draw() {
            out.append("<g class=\"packet-path\">\n");
            Node previous = null;
            List<Label> pending = new ArrayList<>();
            List<Step> steps = picture.path().steps();
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                int number = i + 1;
                if (!s.ranProgram()) {
                    pending.add(new Label(number, s.kind() == NetPicture.StepKind.REDIRECT ? "redirect" : "xmit",
                            "→ " + s.target()));
                    continue;
                }
                Node node = nodeOf(s);
                if (previous != null) {
                    arrow(previous, node, pending);
                }
                pending.clear();
                mark(node.rect(), number, s.returnValue() + " " + shortVerdict(s.verdict()), s.verdict(),
                        s.kind() == NetPicture.StepKind.CLASSIC);
                previous = node;
            }
            Fate fate = picture.path().fate();
            if (fate.device() != null) {
                Column c = layout.column(fate.device());
                Node end = new Node(c.fate(), c);
                if (previous != null) {
                    arrow(previous, end, pending);
                }
                fateBox(fate, c.fate());
            }
            out.append("</g>\n");
        }

        /** The box the step ran in, or its hook's label when the chain no longer holds that program. */
        private Node nodeOf(Step s) {
            Column c = layout.column(s.device());
            Hook hook = c.device().hook(s.hook());
            HookPlaces places = c.hook(s.hook());
            if (s.kind() == NetPicture.StepKind.TCX) {
                TcxProg p = hook.tcxProg(s.progId());
                if (p != null) {
                    return new Node(places.tcx().get(hook.tcx().indexOf(p)), c);
                }
            } else {
                ClassicFilter f = hook.classicFilter(s.prio(), s.handle());
                if (f != null) {
                    return new Node(places.classic().get(hook.classic().indexOf(f)), c);
                }
            }
            return new Node(places.label(), c);
        }

        /**
         * The verdict's last name only ("TC_ACT_OK → TCX_PASS" is "TCX_PASS", "TCX_DROP: fault: ..." is
         * "TCX_DROP"), so it fits beside the program's id; the whole text is the tooltip, and the HTML
         * table and the text trace show it in full.
         */
        private static String shortVerdict(String verdict) {
            String v = verdict.substring(verdict.lastIndexOf("→ ") + 1).strip();
            for (String cut : new String[] {":", " ("}) {
                int at = v.indexOf(cut);
                v = at > 0 ? v.substring(0, at) : v;
            }
            return fit(v, 16);
        }

        private void mark(Rect r, int number, String verdict, String fullVerdict, boolean classic) {
            int seen = visits.merge(r, 1, Integer::sum) - 1;
            out.append("<g class=\"step\"><title>step ").append(number).append(": ").append(escape(fullVerdict))
                    .append("</title>\n");
            if (seen == 0) {
                rect(new Rect(r.x() - 2, r.y() - 2, r.w() + 4, r.h() + 4),
                        "rx=\"8\" fill=\"none\" stroke=\"" + PATH + "\" stroke-width=\"3\"");
                // a filter's second line is full (prio, handle, id, da): its verdict goes on the first
                double y = classic ? r.y() + 16 : r.bottom() - 9;
                text(r.right() - 14, y, verdict.strip(), "font-size=\"11.5\" font-weight=\"bold\""
                        + " text-anchor=\"end\" fill=\"" + PATH + "\"");
            }
            badge(r.right() - 2 - 26 * seen, r.y() + 1, number);
            out.append("</g>\n");
        }

        private void badge(double cx, double cy, int number) {
            circle(cx, cy, 11, "fill=\"" + PATH + "\" stroke=\"#ffffff\" stroke-width=\"2\"");
            text(cx, cy + 4.5, Integer.toString(number),
                    "font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#ffffff\"");
        }

        private void arrow(Node from, Node to, List<Label> labels) {
            List<double[]> points = route(from, to);
            StringBuilder d = new StringBuilder();
            for (double[] p : points) {
                d.append(d.isEmpty() ? "M" : " L").append(num(p[0])).append(',').append(num(p[1]));
            }
            out.append("<path d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(PATH)
                    .append("\" stroke-width=\"2.5\" stroke-linejoin=\"round\" marker-end=\"url(#arrowhead)\"/>\n");
            double[] at = middleOfLongestSegment(points);
            double y = at[1] - 30 * (labels.size() - 1);
            for (Label l : labels) {
                badge(at[0], y - 14, l.step());
                String halo = "font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"" + PATH
                        + "\" stroke=\"#ffffff\" stroke-width=\"4\" paint-order=\"stroke\"";
                text(at[0], y + 12, l.verb(), halo);
                text(at[0], y + 26, l.target(), halo);
                y += 60;
            }
        }

        /**
         * Arrows keep out of the boxes: straight down to the next box of the same chain, around the
         * right margin of the device within one device, through the gap between neighbouring
         * devices, and over the tops of the boxes between devices further apart.
         */
        private List<double[]> route(Node from, Node to) {
            Rect a = from.rect();
            Rect b = to.rect();
            Column ca = from.column();
            Column cb = to.column();
            if (ca == cb) {
                if (Math.abs(a.x() - b.x()) < 1 && b.y() >= a.bottom() && b.y() - a.bottom() <= ChainLayout.PROG_GAP + 1) {
                    return List.of(new double[] {a.cx(), a.bottom() + 1}, new double[] {b.cx(), b.y() - 2});
                }
                double lane = a.right() + ChainLayout.INSET / 2;
                return List.of(new double[] {a.right(), a.cy()}, new double[] {lane, a.cy()},
                        new double[] {lane, b.cy()}, new double[] {b.right() + 2, b.cy()});
            }
            boolean rightwards = cb.index() > ca.index();
            double leave = rightwards ? a.right() : a.x();
            double enter = rightwards ? b.x() - 2 : b.right() + 2;
            double gapA = rightwards ? gapMiddle(ca.index(), ca.index() + 1) : gapMiddle(ca.index() - 1, ca.index());
            double gapB = rightwards ? gapMiddle(cb.index() - 1, cb.index()) : gapMiddle(cb.index(), cb.index() + 1);
            if (Math.abs(cb.index() - ca.index()) == 1) {
                return List.of(new double[] {leave, a.cy()}, new double[] {gapA, a.cy()}, new double[] {gapA, b.cy()},
                        new double[] {enter, b.cy()});
            }
            double bus = layout.boxTop - 12;
            return List.of(new double[] {leave, a.cy()}, new double[] {gapA, a.cy()}, new double[] {gapA, bus},
                    new double[] {gapB, bus}, new double[] {gapB, b.cy()}, new double[] {enter, b.cy()});
        }

        private double gapMiddle(int left, int right) {
            return (layout.columns.get(left).box().right() + layout.columns.get(right).box().x()) / 2;
        }

        private static double[] middleOfLongestSegment(List<double[]> points) {
            double best = -1;
            double[] mid = points.getFirst();
            for (int i = 1; i < points.size(); i++) {
                double[] p = points.get(i - 1);
                double[] q = points.get(i);
                double len = Math.hypot(q[0] - p[0], q[1] - p[1]);
                if (len > best) {
                    best = len;
                    mid = new double[] {(p[0] + q[0]) / 2, (p[1] + q[1]) / 2};
                }
            }
            return mid;
        }

        private void fateBox(Fate fate, Rect r) {
            String[] colours = switch (fate.outcome()) {
                case DELIVERED, TRANSMITTED -> new String[] {"#dcfce7", "#15803d"};
                case DROPPED -> new String[] {"#fee2e2", "#b91c1c"};
                case REDIRECTED, CONSUMED -> new String[] {"#e0e7ff", "#4338ca"};
            };
            out.append("<g class=\"fate\">");
            out.append("<title>").append(escape(fate.text())).append("</title>");
            rect(r, "rx=\"17\" fill=\"" + colours[0] + "\" stroke=\"" + colours[1] + "\" stroke-width=\"2\"");
            String style = "text-anchor=\"middle\" fill=\"" + colours[1] + "\"";
            int colon = fate.text().indexOf(": ");
            if (fate.text().length() <= 34 || colon < 0) {
                text(r.cx(), r.cy() + 5, fit(fate.text(), 34), "font-size=\"14\" font-weight=\"bold\" " + style);
            } else {
                // "dropped on veth1: NO_SOCKET: nothing bound to ..." on two lines: the what, then the why
                text(r.cx(), r.y() + 14, fit(fate.text().substring(0, colon), 38), "font-size=\"12.5\" font-weight=\"bold\" "
                        + style);
                text(r.cx(), r.y() + 28, fit(fate.text().substring(colon + 2), 40), "font-size=\"11\" " + style);
            }
            out.append("</g>\n");
        }
    }

    // ---- primitive shapes

    private void rect(Rect r, String style) {
        out.append("<rect x=\"").append(num(r.x())).append("\" y=\"").append(num(r.y())).append("\" width=\"")
                .append(num(r.w())).append("\" height=\"").append(num(r.h())).append("\" ").append(style).append("/>\n");
    }

    private void line(double x1, double y1, double x2, double y2, String style) {
        out.append("<line x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1)).append("\" x2=\"").append(num(x2))
                .append("\" y2=\"").append(num(y2)).append("\" ").append(style).append("/>\n");
    }

    private void circle(double cx, double cy, double r, String style) {
        out.append("<circle cx=\"").append(num(cx)).append("\" cy=\"").append(num(cy)).append("\" r=\"").append(num(r))
                .append("\" ").append(style).append("/>\n");
    }

    private void text(double x, double y, String s, String style) {
        out.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" ").append(style).append('>')
                .append(escape(s)).append("</text>\n");
    }
}
