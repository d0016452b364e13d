package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * Main-task accuracy (PROTOCOL.md §9).
 *
 * @param stats {"train": {total, per_position}, "val": {...}} ({@code stats.json})
 * @param trainAccuracy overall number accuracy on the training rows
 * @param validationAccuracy overall number accuracy on held-out rows
 */
public record EvaluateMainTaskResult(ArtifactRef stats, double trainAccuracy, double validationAccuracy) implements StageResult {
    public static final String STATS = "stats";

    public EvaluateMainTaskResult {
        Checks.present("stats", stats);
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        return Checks.named(STATS, stats);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        return Checks.named("trainAccuracy", trainAccuracy, "validationAccuracy", validationAccuracy);
    }
}
