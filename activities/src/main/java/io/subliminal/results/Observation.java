package io.subliminal.results;

import java.util.Map;
import java.util.Objects;

/**
 * One measured value of one run: a metric of one evaluation stage.
 *
 * @param runId the run's workflow ID
 * @param labels the run's coordinates (model, target, condition, seed, and any axis labels)
 * @param stage the stage's recipe name ("eval-preference")
 * @param metric the metric name ("mean", "rate:qwen")
 * @param value the value
 * @param source the artifact the value was read from (its URI), or empty when it came from the stage's metrics
 */
public record Observation(String runId, Map<String, String> labels, String stage, String metric, double value,
                          String source) {
    public Observation {
        Objects.requireNonNull(runId, "runId");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(metric, "metric");
        source = source == null ? "" : source;
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("run " + runId + " stage " + stage + ": metric '" + metric
                    + "' must be finite, got " + value);
        }
    }

    /** A label the run must have. */
    public String label(String name) {
        String v = labels.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("run " + runId + ": labels lack '" + name + "'");
        }
        return v;
    }
}
