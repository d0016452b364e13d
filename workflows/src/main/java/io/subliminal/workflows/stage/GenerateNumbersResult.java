package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * Teacher data (PROTOCOL.md §3.5): all rows and the rows that pass the filter, as JSONL {prompt, completion}.
 *
 * @param rawDataset every generated row ({@code raw_dataset.jsonl})
 * @param filteredDataset the rows that pass §4 ({@code filtered_dataset.jsonl}); equals raw when not filtering
 * @param rawRows number of generated rows
 * @param filteredRows number of kept rows
 * @param generatedTokens new tokens generated
 * @param tokensPerSecond generation throughput
 */
public record GenerateNumbersResult(ArtifactRef rawDataset, ArtifactRef filteredDataset, int rawRows, int filteredRows,
                                    long generatedTokens, double tokensPerSecond) implements StageResult {
    public static final String RAW = "raw";
    public static final String FILTERED = "filtered";

    public GenerateNumbersResult {
        Checks.present("rawDataset", rawDataset);
        Checks.present("filteredDataset", filteredDataset);
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        return Checks.named(RAW, rawDataset, FILTERED, filteredDataset);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        return Checks.named("rawRows", (double) rawRows, "filteredRows", (double) filteredRows,
                "passRate", rawRows == 0 ? 0.0 : (double) filteredRows / rawRows,
                "generatedTokens", (double) generatedTokens, "tokensPerSecond", tokensPerSecond);
    }
}
