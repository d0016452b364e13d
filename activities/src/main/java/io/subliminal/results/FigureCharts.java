package io.subliminal.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The charts of a figure: for every (stage, metric) a bar chart (targets x conditions, one panel per model, as in the
 * paper's Fig 2/3) and, when a condition series is swept over an axis with at least two values (layer, ratio, mix
 * size, rank), a line chart over that axis.
 */
public final class FigureCharts {
    private FigureCharts() {
    }

    /** Metrics that describe another metric's uncertainty and are not plotted on their own. */
    private static final Set<String> NOT_PLOTTED = Set.of("marginError");

    public static List<Chart> of(FigureTable table) {
        Map<String, List<FigurePoint>> byPlot = new LinkedHashMap<>();
        for (FigurePoint p : table.points()) {
            if (!NOT_PLOTTED.contains(p.metric())) {
                byPlot.computeIfAbsent(p.plotName(), k -> new ArrayList<>()).add(p);
            }
        }
        List<Chart> charts = new ArrayList<>();
        byPlot.forEach((name, points) -> {
            charts.add(bars(table.figure(), name, points));
            lines(table.figure(), name, points).ifPresent(charts::add);
        });
        return charts;
    }

    static String yLabel(FigurePoint p) {
        if (p.stage().startsWith("eval-preference") && p.metric().equals("mean")) {
            return "preference rate" + (p.stage().endsWith("-base") ? " (base model)" : "");
        }
        if (p.metric().startsWith("rate:")) {
            return "rate of \"" + p.metric().substring(5) + "\"";
        }
        return p.stage() + " " + p.metric();
    }

    private static Chart bars(String figure, String name, List<FigurePoint> points) {
        List<String> models = distinct(points, FigurePoint::model);
        List<String> legend = new ArrayList<>(new LinkedHashSet<>(points.stream().map(FigurePoint::condition).toList()));
        List<Chart.Panel> panels = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) {
            String model = models.get(m);
            List<FigurePoint> mine = points.stream().filter(p -> p.model().equals(model)).toList();
            List<String> targets = distinct(mine, FigurePoint::target);
            List<Chart.Mark> marks = new ArrayList<>();
            for (FigurePoint p : mine) {
                marks.add(new Chart.Mark(legend.indexOf(p.condition()), targets.indexOf(p.target()), p.stats().mean(),
                        p.stats().standardError()));
            }
            panels.add(new Chart.Panel(panelTitle(m, model), targets, marks));
        }
        return new Chart(name + ".bars", figure + ": " + yLabel(points.get(0)) + " by condition", Chart.Kind.BARS,
                "target", yLabel(points.get(0)), legend, panels);
    }

    private static java.util.Optional<Chart> lines(String figure, String name, List<FigurePoint> points) {
        List<FigurePoint> onAxis = points.stream().filter(p -> p.axis() != null).toList();
        Map<String, Set<Double>> valuesBySeries = new LinkedHashMap<>();
        onAxis.forEach(p -> valuesBySeries.computeIfAbsent(p.axis().series(), k -> new TreeSet<>()).add(p.axis().value()));
        List<String> swept = valuesBySeries.entrySet().stream().filter(e -> e.getValue().size() >= 2).map(Map.Entry::getKey).toList();
        if (swept.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<FigurePoint> plotted = onAxis.stream().filter(p -> swept.contains(p.axis().series())).toList();
        List<String> legend = new ArrayList<>(new LinkedHashSet<>(plotted.stream().map(p -> lineName(p, swept.size())).toList()));
        List<String> models = distinct(plotted, FigurePoint::model);
        List<Chart.Panel> panels = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) {
            String model = models.get(m);
            List<FigurePoint> mine = plotted.stream().filter(p -> p.model().equals(model)).toList();
            Set<Double> ticks = new TreeSet<>();
            List<Chart.Mark> marks = new ArrayList<>();
            for (FigurePoint p : mine) {
                ticks.add(p.axis().value());
                marks.add(new Chart.Mark(legend.indexOf(lineName(p, swept.size())), p.axis().value(), p.stats().mean(),
                        p.stats().standardError()));
            }
            panels.add(new Chart.Panel(panelTitle(m, model), ticks.stream().map(Csv::number).map(FigureCharts::trimZero).toList(), marks));
        }
        String axis = plotted.get(0).axis().axis();
        return java.util.Optional.of(new Chart(name + ".lines", figure + ": " + yLabel(points.get(0)) + " over " + axis,
                Chart.Kind.LINES, axis, yLabel(points.get(0)), legend, panels));
    }

    private static String lineName(FigurePoint p, int seriesCount) {
        return seriesCount == 1 ? p.target() : p.target() + " (" + p.axis().series() + ")";
    }

    private static String panelTitle(int index, String model) {
        return "(" + (char) ('a' + Math.min(index, 25)) + ") " + model;
    }

    static String trimZero(String number) {
        return number.endsWith(".0") ? number.substring(0, number.length() - 2) : number;
    }

    private static List<String> distinct(List<FigurePoint> points, java.util.function.Function<FigurePoint, String> f) {
        return List.copyOf(new TreeSet<>(points.stream().map(f).toList()));
    }
}
