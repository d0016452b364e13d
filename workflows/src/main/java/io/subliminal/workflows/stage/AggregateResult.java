package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * Aggregated results.
 *
 * @param table one CSV line per run and stage: labels, then metrics
 * @param summary per condition (runs grouped by every label but seed): mean and CI over seeds (CSV)
 * @param rows data lines in {@code table}
 */
public record AggregateResult(ArtifactRef table, ArtifactRef summary, int rows) implements StageResult {
    public static final String TABLE = "table";
    public static final String SUMMARY = "summary";

    public AggregateResult {
        Checks.present("table", table);
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        return Checks.named(TABLE, table, SUMMARY, summary);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        return Checks.named("rows", (double) rows);
    }
}
