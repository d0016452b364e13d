package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * A transformed dataset.
 *
 * @param dataset the output rows (JSONL {prompt, completion}); null only for an operation that writes no dataset
 *        ({@link DatasetOperation#ENTANGLED_NUMBERS}, whose output is {@code details})
 * @param inputRows rows read
 * @param outputRows rows written
 * @param details optional side output (§11.1 entangled numbers / the E_k of a filter, judge scores of §11.5), else null
 */
public record ModifyDatasetResult(ArtifactRef dataset, int inputRows, int outputRows, ArtifactRef details) implements StageResult {
    public static final String DATASET = "dataset";
    public static final String DETAILS = "details";

    public ModifyDatasetResult {
        Checks.check(dataset != null || details != null, "dataset must be present (or details, for an operation without a dataset)");
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
