package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.NetPicture.Device;
import dev.tcxsim.cli.render.NetPicture.Hook;
import dev.tcxsim.kernel.TcDirection;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where everything of a {@link NetPicture} goes, in SVG user units; {@link ChainSvg} only draws.
 *
 * <p>Devices stand side by side as columns, a veth peer right after its peer with a wider gap that
 * holds the cable between them. Each column is the device's header, then its egress hook (a packet
 * sent from the device meets it first), then its ingress hook, then a row for the packet's fate.
 * Each hook is its tcx chain top to bottom in execution order and below it the classic clsact
 * filters. Rows have the same height in every column, so hooks line up across devices.
 */
final class ChainLayout {
    static final double MARGIN = 24;
    static final double TITLE_H = 70;
    static final double DEV_W = 330;
    static final double INSET = 28;     // room left and right of the boxes for path arrows
    static final double HEADER_H = 54;
    static final double LABEL_H = 30;
    static final double PROG_H = 46;
    static final double PROG_GAP = 16;
    static final double EMPTY_H = 30;
    static final double CLASSIC_LABEL_H = 26;
    static final double FILTER_H = 40;
    static final double FILTER_GAP = 8;
    static final double ROW_PAD = 14;
    static final double FATE_H = 50;
    static final double PAIR_GAP = 130;
    static final double GROUP_GAP = 110; // wide enough for a redirect label
    static final double LEGEND_H = 44;

    record Rect(double x, double y, double w, double h) {
        double right() {
            return x + w;
        }

        double bottom() {
            return y + h;
        }

        double cx() {
            return x + w / 2;
        }

        double cy() {
            return y + h / 2;
        }
    }

    /** One hook's places: its label, one rect per tcx program and per classic filter, in order. */
    record HookPlaces(Rect area, Rect label, List<Rect> tcx, Rect emptyTcx, Rect classicLabel, List<Rect> classic) {
    }

    /** One device column. */
    record Column(Device device, int index, Rect box, Rect header, Map<TcDirection, HookPlaces> hooks, Rect fate) {
        HookPlaces hook(TcDirection d) {
            return hooks.get(d);
        }
    }

    final List<Column> columns = new ArrayList<>();
    /** Indexes into {@link #columns} of veth pairs drawn side by side (left, right). */
    final List<int[]> pairs = new ArrayList<>();
    final double width;
    final double height;
    final double boxTop;
    final double legendY;

    /** With {@code heading} false no room is kept for a title (the HTML page has its own). */
    ChainLayout(NetPicture picture, boolean heading) {
        List<Device> order = drawingOrder(picture);
        Map<TcDirection, Double> rowHeight = new EnumMap<>(TcDirection.class);
        Map<TcDirection, Double> tcxHeight = new EnumMap<>(TcDirection.class);
        for (TcDirection d : rowOrder()) {
            int maxTcx = 0;
            int maxClassic = 0;
            for (Device dev : order) {
                maxTcx = Math.max(maxTcx, dev.hook(d).tcx().size());
                maxClassic = Math.max(maxClassic, dev.hook(d).classic().size());
            }
            double tcx = maxTcx == 0 ? EMPTY_H : maxTcx * PROG_H + (maxTcx - 1) * PROG_GAP;
            double classic = maxClassic == 0 ? 0 : maxClassic * FILTER_H + (maxClassic - 1) * FILTER_GAP;
            tcxHeight.put(d, tcx);
            rowHeight.put(d, LABEL_H + tcx + ROW_PAD + CLASSIC_LABEL_H + classic + ROW_PAD);
        }
        boxTop = MARGIN + (heading ? TITLE_H : 12);
        double boxH = HEADER_H + rowHeight.get(TcDirection.EGRESS) + rowHeight.get(TcDirection.INGRESS)
                + (picture.path() != null ? FATE_H : 0);
        double x = MARGIN;
        for (int i = 0; i < order.size(); i++) {
            Device dev = order.get(i);
            if (i > 0) {
                boolean pairedWithPrevious = dev.name().equals(order.get(i - 1).peer());
                x += pairedWithPrevious ? PAIR_GAP : GROUP_GAP;
                if (pairedWithPrevious) {
                    pairs.add(new int[] {i - 1, i});
                }
            }
            columns.add(column(dev, i, x, boxH, rowHeight, tcxHeight, picture.path() != null));
            x += DEV_W;
        }
        width = Math.max(x + MARGIN, 760);
        legendY = boxTop + boxH + 20;
        height = legendY + LEGEND_H + MARGIN;
    }

    /** Egress first: a packet sent from a device meets its egress hook, then the peer's ingress. */
    static List<TcDirection> rowOrder() {
        return List.of(TcDirection.EGRESS, TcDirection.INGRESS);
    }

    private Column column(Device dev, int index, double x, double boxH, Map<TcDirection, Double> rowHeight,
                          Map<TcDirection, Double> tcxHeight, boolean withFate) {
        Rect box = new Rect(x, boxTop, DEV_W, boxH);
        Rect header = new Rect(x, boxTop, DEV_W, HEADER_H);
        Map<TcDirection, HookPlaces> hooks = new EnumMap<>(TcDirection.class);
        double y = boxTop + HEADER_H;
        double innerX = x + INSET;
        double innerW = DEV_W - 2 * INSET;
        for (TcDirection d : rowOrder()) {
            Hook hook = dev.hook(d);
            Rect area = new Rect(x, y, DEV_W, rowHeight.get(d));
            Rect label = new Rect(innerX, y, innerW, LABEL_H);
            double py = y + LABEL_H;
            List<Rect> tcx = new ArrayList<>();
            for (int i = 0; i < hook.tcx().size(); i++) {
                tcx.add(new Rect(innerX, py, innerW, PROG_H));
                py += PROG_H + PROG_GAP;
            }
            Rect empty = hook.tcx().isEmpty() ? new Rect(innerX, y + LABEL_H, innerW, EMPTY_H) : null;
            double cy = y + LABEL_H + tcxHeight.get(d) + ROW_PAD;
            Rect classicLabel = new Rect(innerX, cy, innerW, CLASSIC_LABEL_H);
            List<Rect> classic = new ArrayList<>();
            double fy = cy + CLASSIC_LABEL_H;
            for (int i = 0; i < hook.classic().size(); i++) {
                classic.add(new Rect(innerX, fy, innerW, FILTER_H));
                fy += FILTER_H + FILTER_GAP;
            }
            hooks.put(d, new HookPlaces(area, label, tcx, empty, classicLabel, classic));
            y += rowHeight.get(d);
        }
        Rect fate = withFate ? new Rect(innerX, y + 6, innerW, FATE_H - 16) : null;
        return new Column(dev, index, box, header, hooks, fate);
    }

    /** The picture's devices with each veth peer moved right after its peer. */
    private static List<Device> drawingOrder(NetPicture picture) {
        Set<Device> placed = new LinkedHashSet<>();
        for (Device d : picture.devices()) {
            if (placed.add(d) && d.peer() != null) {
                placed.add(picture.device(d.peer()));
            }
        }
        return List.copyOf(placed);
    }

    Column column(String device) {
        return columns.stream().filter(c -> c.device().name().equals(device)).findFirst().orElseThrow();
    }
}
