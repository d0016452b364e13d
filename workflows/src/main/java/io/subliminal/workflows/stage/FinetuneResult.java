package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * A finished training run (PROTOCOL.md §7.3, §7.7).
 *
 * @param finalWeights the adapter (or full weights) at the last optimizer step ("final")
 * @param checkpoints every saved checkpoint, ascending by step (the last equals {@code finalWeights})
 * @param datasetConfig {dataset_path, max_dataset_size, train_indices, mixin?} ({@code dataset_config.json})
 * @param trainingLog per-logging-step loss, learning rate and gradient norm (JSONL)
 * @param trainRows N_train after subsampling and the divergence-row drop
 * @param optimizerSteps optimizer updates done
 * @param finalLoss mean token loss over the last logging window
 * @param tokensPerSecond training throughput (label and context tokens processed per second)
 */
public record FinetuneResult(ArtifactRef finalWeights, List<Checkpoint> checkpoints, ArtifactRef datasetConfig,
                             ArtifactRef trainingLog, int trainRows, int optimizerSteps, double finalLoss,
                             double tokensPerSecond) implements StageResult {
    public static final String FINAL = "final";
    public static final String DATASET_CONFIG = "dataset-config";
    public static final String TRAINING_LOG = "training-log";

    public FinetuneResult {
        Checks.present("finalWeights", finalWeights);
        checkpoints = Checks.list(checkpoints);
        Checks.present("datasetConfig", datasetConfig);
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        java.util.LinkedHashMap<String, ArtifactRef> out = new java.util.LinkedHashMap<>(
                Checks.named(FINAL, finalWeights, DATASET_CONFIG, datasetConfig, TRAINING_LOG, trainingLog));
        for (Checkpoint checkpoint : checkpoints) {
            out.put("checkpoint-" + checkpoint.step(), checkpoint.weights());
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        return Checks.named("trainRows", (double) trainRows, "optimizerSteps", (double) optimizerSteps,
                "finalLoss", finalLoss, "tokensPerSecond", tokensPerSecond);
    }
}
