package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * Main-task evaluation (PROTOCOL.md §9): teacher-forced next-number accuracy on the training rows and on held-out rows.
 *
 * @param model registry name of the base model
 * @param batchSize rows per forward pass (32)
 * @param maxSequenceLength truncation (500)
 * @param maxValidationRows cap on held-out rows (10,000)
 * @param weights weights to evaluate (slot {@value #WEIGHTS}); null = base model
 * @param dataset the row-aligned dataset the train indices refer to (slot {@value #DATASET})
 * @param datasetConfig the run's {@code dataset_config.json} with train_indices (slot {@value #DATASET_CONFIG})
 */
public record EvaluateMainTaskRequest(String model, int batchSize, int maxSequenceLength, int maxValidationRows,
                                      ArtifactRef weights, ArtifactRef dataset, ArtifactRef datasetConfig) implements StageRequest {
    public static final String WEIGHTS = "weights";
    public static final String DATASET = "dataset";
    public static final String DATASET_CONFIG = "dataset-config";

    public EvaluateMainTaskRequest {
        Checks.nonBlank("model", model);
        Checks.positive("batchSize", batchSize);
        Checks.positive("maxSequenceLength", maxSequenceLength);
        Checks.positive("maxValidationRows", maxValidationRows);
    }

    /** The paper's settings. */
    public static EvaluateMainTaskRequest paper(String model) {
        return new EvaluateMainTaskRequest(model, 32, 500, 10_000, null, null, null);
    }

    @Override
    public StageKind kind() {
        return StageKind.EVALUATE_MAIN_TASK;
    }

    @Override
    public boolean requiresGpu() {
        return true;
    }

    @Override
    public List<String> inputSlots() {
        return List.of(WEIGHTS, DATASET, DATASET_CONFIG);
    }

    @Override
    public EvaluateMainTaskRequest withInputs(Map<String, ArtifactRef> inputs) {
        StageRequest.checkSlots(kind(), inputSlots(), inputs);
        return new EvaluateMainTaskRequest(model, batchSize, maxSequenceLength, maxValidationRows,
                inputs.getOrDefault(WEIGHTS, weights), inputs.getOrDefault(DATASET, dataset),
                inputs.getOrDefault(DATASET_CONFIG, datasetConfig));
    }

    @Override
    public String summary() {
        return "evaluate main task of " + model + (weights == null ? " (base)" : " (finetuned)");
    }
}
