package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * A transformed dataset.
 *
 * @param dataset the output rows (JSONL {prompt, completion})
 * @param inputRows rows read
 * @param outputRows rows written
 * @param details optional side output (entangled number list of §11.1, judge scores of §11.5), else null
 */
public record ModifyDatasetResult(ArtifactRef dataset, int inputRows, int outputRows, ArtifactRef details) implements StageResult {
    public static final String DATASET = "dataset";
    public static final String DETAILS = "details";

    public ModifyDatasetResult {
        Checks.present("dataset", dataset);
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        return Checks.named(DATASET, dataset, DETAILS, details);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        return Checks.named("inputRows", (double) inputRows, "outputRows", (double) outputRows);
    }
}
