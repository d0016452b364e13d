package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Aggregated results.
 *
 * @param table one CSV line per run, stage and metric: labels, then the value and its source artifact
 * @param summary per figure point (runs grouped by every label but seed): mean and standard error over seeds (CSV)
 * @param rows data lines in {@code table}
 * @param documents the figure's plots and report by file name ({@code eval-preference.mean.svg}, {@code report.html})
 */
public record AggregateResult(ArtifactRef table, ArtifactRef summary, int rows, Map<String, ArtifactRef> documents)
        implements StageResult {
    public static final String TABLE = "table";
    public static final String SUMMARY = "summary";

    public AggregateResult {
        Checks.present("table", table);
        documents = documents == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(documents));
    }

    /** A result with the CSV tables only. */
    public AggregateResult(ArtifactRef table, ArtifactRef summary, int rows) {
        this(table, summary, rows, Map.of());
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        Map<String, ArtifactRef> out = new LinkedHashMap<>(Checks.named(TABLE, table, SUMMARY, summary));
        out.putAll(documents);
        return java.util.Collections.unmodifiableMap(out);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        return Checks.named("rows", (double) rows);
    }
}
