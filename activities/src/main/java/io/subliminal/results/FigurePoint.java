package io.subliminal.results;

import java.util.List;

/**
 * One point of a figure: a metric of one stage for one (model, target, condition), aggregated over seeds.
 *
 * @param stage evaluation stage ("eval-preference")
 * @param metric metric name ("mean")
 * @param model student model
 * @param target preference target
 * @param condition condition name
 * @param axis the swept axis this point lies on, or null when the condition is not on one
 * @param stats mean and standard error over seeds
 * @param runIds the runs (workflow IDs) that make up the point, one per seed
 * @param seeds their seeds, in the order of {@code runIds}
 * @param sources the artifacts the values were read from, in the order of {@code runIds}
 */
public record FigurePoint(String stage, String metric, String model, String target, String condition, SweptAxis axis,
                          SeedStatistics stats, List<String> runIds, List<String> seeds, List<String> sources) {
    public FigurePoint {
        runIds = List.copyOf(runIds);
        seeds = List.copyOf(seeds);
        sources = List.copyOf(sources);
    }

    /** The plot this point belongs to ("eval-preference.mean"). */
    public String plotName() {
        return stage + "." + metric.replace(':', '-');
    }
}
