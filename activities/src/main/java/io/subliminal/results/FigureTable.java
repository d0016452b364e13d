package io.subliminal.results;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A figure's observations and their points: every run's values grouped by (stage, metric, model, target,
 * condition, axis labels) and aggregated over seeds. Renders the per-run table and the per-point summary as CSV.
 *
 * @param figure figure id ("fig-3")
 * @param observations every run's values
 * @param points the aggregated points, sorted by stage, metric, model, target, then condition (axis order)
 */
public record FigureTable(String figure, List<Observation> observations, List<FigurePoint> points) {

    /** Labels every run has; any other label is an explicit axis. */
    public static final Set<String> COORDINATES = Set.of("figure", "model", "target", "condition", "seed");

    public FigureTable {
        observations = List.copyOf(observations);
        points = List.copyOf(points);
    }

    /** Groups {@code observations} into points. */
    public static FigureTable of(String figure, List<Observation> observations) {
        Map<List<String>, List<Observation>> groups = new LinkedHashMap<>();
        for (Observation o : observations) {
            String observedFigure = o.labels().get("figure");
            if (observedFigure != null && !observedFigure.equals(figure)) {
                throw new IllegalArgumentException("run " + o.runId() + ": label figure is '" + observedFigure
                        + "', expected '" + figure + "'");
            }
            List<String> key = new ArrayList<>(List.of(o.stage(), o.metric(), o.label("model"), o.label("target"),
                    o.label("condition")));
            axisLabels(o).forEach((name, value) -> key.add(name + "=" + value));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(o);
        }
        List<FigurePoint> points = new ArrayList<>();
        for (List<Observation> group : groups.values()) {
            Observation first = group.get(0);
            Set<String> seeds = new TreeSet<>();
            for (Observation o : group) {
                if (!seeds.add(o.label("seed"))) {
                    throw new IllegalArgumentException("run " + o.runId() + ": seed " + o.label("seed")
                            + " appears twice for stage " + o.stage() + " metric " + o.metric() + " condition "
                            + o.label("condition"));
                }
            }
            List<Observation> bySeed = group.stream().sorted(Comparator.comparing(o -> o.label("seed"))).toList();
            points.add(new FigurePoint(first.stage(), first.metric(), first.label("model"), first.label("target"),
                    first.label("condition"), axis(first),
                    SeedStatistics.of(bySeed.stream().map(Observation::value).toList()),
                    bySeed.stream().map(Observation::runId).toList(), bySeed.stream().map(o -> o.label("seed")).toList(),
                    bySeed.stream().map(Observation::source).toList()));
        }
        points.sort(Comparator.comparing(FigurePoint::stage).thenComparing(FigurePoint::metric)
                .thenComparing(FigurePoint::model).thenComparing(FigurePoint::target)
                .thenComparing(FigureTable::conditionOrder));
        return new FigureTable(figure, observations, points);
    }

    private static String conditionOrder(FigurePoint p) {
        return p.axis() == null ? p.condition() : p.axis().series() + String.format("%020.6f", p.axis().value());
    }

    private static Map<String, String> axisLabels(Observation o) {
        Map<String, String> axes = new java.util.TreeMap<>(o.labels());
        axes.keySet().removeAll(COORDINATES);
        return axes;
    }

    private static SweptAxis axis(Observation o) {
        Map<String, String> axes = axisLabels(o);
        if (!axes.isEmpty()) {
            Map.Entry<String, String> first = axes.entrySet().iterator().next();
            return SweptAxis.ofLabel(o.label("condition"), first.getKey(), first.getValue());
        }
        return SweptAxis.of(o.label("condition")).orElse(null);
    }

    /** Names of the explicit axis labels over all runs, sorted. */
    public List<String> axisLabelNames() {
        Set<String> names = new TreeSet<>();
        observations.forEach(o -> names.addAll(axisLabels(o).keySet()));
        return List.copyOf(names);
    }

    /** One line per run, stage and metric (UTF-8 CSV). */
    public byte[] tableCsv() {
        List<String> axes = axisLabelNames();
        List<String> header = new ArrayList<>(List.of("figure", "run_id", "model", "target", "condition", "seed"));
        header.addAll(axes);
        header.addAll(List.of("stage", "metric", "value", "source"));
        StringBuilder out = new StringBuilder(Csv.line(header));
        for (Observation o : observations) {
            List<String> line = new ArrayList<>(List.of(figure, o.runId(), o.label("model"), o.label("target"),
                    o.label("condition"), o.label("seed")));
            axes.forEach(a -> line.add(o.labels().getOrDefault(a, "")));
            line.addAll(List.of(o.stage(), o.metric(), Csv.number(o.value()), o.source()));
            out.append(Csv.line(line));
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One line per point: mean and standard error (ddof = 1) over seeds, with the runs behind it (UTF-8 CSV). */
    public byte[] summaryCsv() {
        StringBuilder out = new StringBuilder(Csv.line(List.of("figure", "stage", "metric", "model", "target",
                "condition", "series", "axis", "x", "n", "mean", "se", "std", "seeds", "run_ids", "sources")));
        for (FigurePoint p : points) {
            out.append(Csv.line(List.of(figure, p.stage(), p.metric(), p.model(), p.target(), p.condition(),
                    p.axis() == null ? p.condition() : p.axis().series(), p.axis() == null ? "" : p.axis().axis(),
                    p.axis() == null ? "" : Csv.number(p.axis().value()), Integer.toString(p.stats().n()),
                    Csv.number(p.stats().mean()), Csv.number(p.stats().standardError()),
                    Csv.number(p.stats().std()), String.join(";", p.seeds()), String.join(";", p.runIds()),
                    String.join(";", p.sources()))));
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
