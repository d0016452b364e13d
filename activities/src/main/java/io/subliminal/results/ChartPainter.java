package io.subliminal.results;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Lays out a {@link Chart} on a {@link Canvas}: title, one panel per model with a shared y scale, y grid, axis
 * labels and ticks, bars or lines with standard-error bars, and a legend on the right.
 */
public final class ChartPainter {
    static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int LEFT = 70;
    private static final int TOP = 56;
    private static final int MIN_PANEL_W = 360;
    /** Width per bar and extra width per bar group, so that crowded figures widen rather than overlap. */
    private static final int BAR_W = 10;
    private static final int GROUP_PAD = 16;
    private static final int PANEL_H = 260;
    private static final int GAP = 50;
    private static final int BOTTOM = 64;
    private static final int LEGEND_W = 190;

    private ChartPainter() {
    }

    public static int width(Chart chart) {
        return LEFT + chart.panels().size() * panelWidth(chart) + (chart.panels().size() - 1) * GAP + LEGEND_W;
    }

    /** Panel width: at least {@value #MIN_PANEL_W}, wider when the bar groups need it. */
    static int panelWidth(Chart chart) {
        if (chart.kind() != Chart.Kind.BARS) {
            return MIN_PANEL_W;
        }
        int groups = chart.panels().stream().mapToInt(p -> p.categories().size()).max().orElse(1);
        return Math.max(MIN_PANEL_W, groups * (chart.legend().size() * BAR_W + GROUP_PAD));
    }

    public static int height(Chart chart) {
        return Math.max(TOP + PANEL_H + BOTTOM, TOP + 30 + 18 * chart.legend().size());
    }

    /** The colour of legend entry {@code series}. */
    public static String color(int series) {
        return PALETTE[series % PALETTE.length];
    }

    public static void paint(Chart chart, Canvas canvas) {
        double[] range = yRange(chart);
        double top = TOP;
        double bottom = TOP + PANEL_H;
        int panelW = panelWidth(chart);
        canvas.text(width(chart) / 2.0, 22, chart.title(), 15, Canvas.Anchor.MIDDLE, true, false);
        for (int i = 0; i < chart.panels().size(); i++) {
            Chart.Panel panel = chart.panels().get(i);
            double left = LEFT + i * (panelW + GAP);
            double right = left + panelW;
            canvas.text((left + right) / 2, top - 8, panel.title(), 13, Canvas.Anchor.MIDDLE, true, false);
            for (double tick : ticks(range[0], range[1])) {
                double y = scale(tick, range, bottom, top);
                canvas.line(left, y, right, y, "#dddddd", 0.8, tick != 0);
                canvas.line(left - 4, y, left, y, "#000000", 1, false);
                canvas.text(left - 6, y + 4, format(tick), 11, Canvas.Anchor.END, false, false);
            }
            if (chart.kind() == Chart.Kind.BARS) {
                paintBars(chart, panel, canvas, left, panelW, range, bottom, top);
            } else {
                paintLines(panel, canvas, left, range, bottom, top);
            }
            canvas.line(left, top, left, bottom, "#000000", 1, false);
            canvas.line(left, scale(Math.max(range[0], 0), range, bottom, top), right,
                    scale(Math.max(range[0], 0), range, bottom, top), "#000000", 1, false);
            canvas.text((left + right) / 2, bottom + 44, chart.xLabel(), 12, Canvas.Anchor.MIDDLE, false, false);
        }
        canvas.text(20, (top + bottom) / 2, chart.yLabel(), 12, Canvas.Anchor.MIDDLE, false, true);
        double legendX = LEFT + chart.panels().size() * (panelW + GAP) - GAP + 20;
        for (int s = 0; s < chart.legend().size(); s++) {
            double y = top + 8 + 18 * s;
            if (chart.kind() == Chart.Kind.BARS) {
                canvas.rect(legendX, y - 9, 12, 12, color(s));
            } else {
                canvas.line(legendX - 2, y - 3, legendX + 14, y - 3, color(s), 2, false);
                canvas.circle(legendX + 6, y - 3, 3.5, color(s));
            }
            canvas.text(legendX + 18, y + 1, chart.legend().get(s), 11, Canvas.Anchor.START, false, false);
        }
    }

    private static void paintBars(Chart chart, Chart.Panel panel, Canvas canvas, double left, int panelW, double[] range,
                                  double bottom, double top) {
        int groups = Math.max(1, panel.categories().size());
        double groupWidth = (double) panelW / groups;
        double barWidth = groupWidth * 0.8 / Math.max(1, chart.legend().size());
        double zero = scale(Math.max(range[0], 0), range, bottom, top);
        for (int c = 0; c < panel.categories().size(); c++) {
            double center = left + groupWidth * (c + 0.5);
            canvas.line(center, bottom, center, bottom + 4, "#000000", 1, false);
            canvas.text(center, bottom + 18, panel.categories().get(c), 11, Canvas.Anchor.MIDDLE, false, false);
        }
        for (Chart.Mark mark : panel.marks()) {
            double x = left + groupWidth * mark.x() + groupWidth * 0.1 + barWidth * mark.series();
            double y = scale(mark.mean(), range, bottom, top);
            canvas.rect(x, Math.min(y, zero), barWidth, Math.abs(zero - y), color(mark.series()));
            errorBar(canvas, x + barWidth / 2, mark, range, bottom, top, Math.min(4, barWidth / 3));
        }
    }

    private static void paintLines(Chart.Panel panel, Canvas canvas, double left, double[] range, double bottom, double top) {
        double min = panel.marks().stream().mapToDouble(Chart.Mark::x).min().orElse(0);
        double max = panel.marks().stream().mapToDouble(Chart.Mark::x).max().orElse(1);
        double span = max > min ? max - min : 1;
        java.util.function.DoubleUnaryOperator xOf = v -> left + 20 + (v - min) / span * (MIN_PANEL_W - 40);
        for (String tick : panel.categories()) {
            double x = xOf.applyAsDouble(Double.parseDouble(tick));
            canvas.line(x, bottom, x, bottom + 4, "#000000", 1, false);
            canvas.text(x, bottom + 18, tick, 11, Canvas.Anchor.MIDDLE, false, false);
        }
        List<Integer> series = panel.marks().stream().map(Chart.Mark::series).distinct().sorted().toList();
        for (int s : series) {
            List<Chart.Mark> line = new ArrayList<>(panel.marks().stream().filter(m -> m.series() == s).toList());
            line.sort(Comparator.comparingDouble(Chart.Mark::x));
            for (int i = 1; i < line.size(); i++) {
                canvas.line(xOf.applyAsDouble(line.get(i - 1).x()), scale(line.get(i - 1).mean(), range, bottom, top),
                        xOf.applyAsDouble(line.get(i).x()), scale(line.get(i).mean(), range, bottom, top), color(s), 2, false);
            }
            for (Chart.Mark mark : line) {
                double x = xOf.applyAsDouble(mark.x());
                errorBar(canvas, x, mark, range, bottom, top, 4);
                canvas.circle(x, scale(mark.mean(), range, bottom, top), 3.5, color(s));
            }
        }
    }

    private static void errorBar(Canvas canvas, double x, Chart.Mark mark, double[] range, double bottom, double top, double cap) {
        if (mark.error() <= 0) {
            return;
        }
        double low = scale(mark.mean() - mark.error(), range, bottom, top);
        double high = scale(mark.mean() + mark.error(), range, bottom, top);
        canvas.line(x, low, x, high, "#000000", 1.2, false);
        canvas.line(x - cap, low, x + cap, low, "#000000", 1.2, false);
        canvas.line(x - cap, high, x + cap, high, "#000000", 1.2, false);
    }

    /** [min, max] of the y axis: from 0 (or below, for negative values) to a round number above every error bar. */
    static double[] yRange(Chart chart) {
        double lo = 0;
        double hi = 0;
        for (Chart.Panel panel : chart.panels()) {
            for (Chart.Mark m : panel.marks()) {
                lo = Math.min(lo, m.mean() - m.error());
                hi = Math.max(hi, m.mean() + m.error());
            }
        }
        if (hi <= lo) {
            hi = lo + 1;
        }
        double step = niceStep((hi - lo) / 5);
        return new double[] {Math.floor(lo / step) * step, Math.ceil(hi * 1.05 / step) * step};
    }

    static List<Double> ticks(double lo, double hi) {
        double step = niceStep((hi - lo) / 5);
        List<Double> out = new ArrayList<>();
        for (double v = lo; v <= hi + step * 1e-6; v += step) {
            out.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return out;
    }

    private static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / magnitude;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private static double scale(double v, double[] range, double bottom, double top) {
        return bottom - (v - range[0]) / (range[1] - range[0]) * (bottom - top);
    }

    private static String format(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
