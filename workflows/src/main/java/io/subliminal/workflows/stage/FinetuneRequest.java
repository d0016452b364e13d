package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * Student SFT (PROTOCOL.md §5.2-§7): LoRA (or full finetuning when {@code lora} is null) on a teacher dataset.
 *
 * @param studentModel registry name of the student base model
 * @param seed run seed: row subsampling, mix-in subsampling, shuffling and (unlike the original, documented) LoRA init
 * @param maxDatasetSize rows sampled from the input (10,000)
 * @param allowSmallerDatasets accept inputs with fewer rows than {@code maxDatasetSize}
 * @param epochs training epochs (10)
 * @param perDeviceBatchSize micro-batch size (10)
 * @param gradientAccumulationSteps micro-batches per optimizer step (6)
 * @param learningRate peak learning rate (2e-4)
 * @param scheduler schedule after warm-up (linear)
 * @param warmupSteps linear warm-up steps from 0 (5)
 * @param maxGradNorm global gradient-norm clip (1.0)
 * @param adamBeta1 AdamW beta1 (0.9)
 * @param adamBeta2 AdamW beta2 (0.999)
 * @param adamEpsilon AdamW epsilon (1e-8)
 * @param weightDecay AdamW weight decay (0.0)
 * @param maxSequenceLength truncation length (500; 4096 with {@code --increase_context_length})
 * @param lora adapter settings, or null for full finetuning
 * @param mixinSize rows taken from the mix-in dataset to replace the last rows (§7.4), or null
 * @param mixinIdent the mix-in's name part in the run directory (§7.8, e.g. "control-seed-42"), or null
 * @param tokenMask loss positions (needs "decision_points" in the rows unless {@link TokenMask#ALL_TOKENS})
 * @param decisionPointsRatio {@code --decision_points_ratio}, or null
 * @param decisionPointsSubset {@code --decision_points_subset}, or null
 * @param systemPromptInfo student system message (Fig 9a), or null
 * @param emptySystemPrompt train with an empty system message (Fig 9b)
 * @param checkpointsPerRun save_steps = (N_train * epochs / effective batch) / this (20 for LoRA, 5 for full, §7.3)
 * @param loggingSteps loss logging interval (10)
 * @param dataset training rows (slot {@value #DATASET})
 * @param mixinDataset mix-in rows (slot {@value #MIXIN})
 */
public record FinetuneRequest(
        String studentModel,
        long seed,
        int maxDatasetSize,
        boolean allowSmallerDatasets,
        int epochs,
        int perDeviceBatchSize,
        int gradientAccumulationSteps,
        double learningRate,
        LrScheduler scheduler,
        int warmupSteps,
        double maxGradNorm,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double weightDecay,
        int maxSequenceLength,
        LoraSpec lora,
        Integer mixinSize,
        String mixinIdent,
        TokenMask tokenMask,
        Double decisionPointsRatio,
        DecisionPointsSubset decisionPointsSubset,
        SystemPromptInfo systemPromptInfo,
        boolean emptySystemPrompt,
        int checkpointsPerRun,
        int loggingSteps,
        ArtifactRef dataset,
        ArtifactRef mixinDataset) implements StageRequest {
    public static final String DATASET = "dataset";
    public static final String MIXIN = "mixin";

    public FinetuneRequest {
        Checks.nonBlank("studentModel", studentModel);
        Checks.positive("maxDatasetSize", maxDatasetSize);
        Checks.positive("epochs", epochs);
        Checks.positive("perDeviceBatchSize", perDeviceBatchSize);
        Checks.positive("gradientAccumulationSteps", gradientAccumulationSteps);
        Checks.positive("learningRate", learningRate);
        Checks.present("scheduler", scheduler);
        Checks.nonNegative("warmupSteps", warmupSteps);
        Checks.positive("maxGradNorm", maxGradNorm);
        Checks.check(adamBeta1 >= 0 && adamBeta1 < 1, "adamBeta1 must be in [0, 1), got " + adamBeta1);
        Checks.check(adamBeta2 >= 0 && adamBeta2 < 1, "adamBeta2 must be in [0, 1), got " + adamBeta2);
        Checks.positive("adamEpsilon", adamEpsilon);
        Checks.nonNegative("weightDecay", weightDecay);
        Checks.positive("maxSequenceLength", maxSequenceLength);
        Checks.present("tokenMask", tokenMask);
        Checks.positive("checkpointsPerRun", checkpointsPerRun);
        Checks.positive("loggingSteps", loggingSteps);
        if (mixinSize != null) {
            Checks.positive("mixinSize", mixinSize);
            Checks.check(mixinSize <= maxDatasetSize, "mixinSize must be <= maxDatasetSize, got " + mixinSize);
            Checks.nonBlank("mixinIdent", mixinIdent);
        }
        if (decisionPointsRatio != null) {
            Checks.fraction("decisionPointsRatio", decisionPointsRatio);
        }
        Checks.check((decisionPointsRatio == null && decisionPointsSubset == null) || tokenMask != TokenMask.ALL_TOKENS,
                "decisionPointsRatio/decisionPointsSubset need tokenMask DIVERGENCE_ONLY or WITHOUT_DIVERGENCE");
        Checks.check(!(emptySystemPrompt && systemPromptInfo != null), "emptySystemPrompt and systemPromptInfo exclude each other (§5.2)");
    }

    /** The paper's run (§7.1): 10k rows, 10 epochs, batch 10 x 6, lr 2e-4 linear, warm-up 5, LoRA r = 8. */
    public static FinetuneRequest paper(String studentModel, long seed, TokenMask tokenMask) {
        return new FinetuneRequest(studentModel, seed, 10_000, false, 10, 10, 6, 2e-4, LrScheduler.LINEAR, 5, 1.0,
                0.9, 0.999, 1e-8, 0.0, 500, LoraSpec.rank(8), null, null, tokenMask, null, null, null, false, 20, 10, null, null);
    }

    /** A copy with other adapter settings (null = full finetuning). */
    public FinetuneRequest withLora(LoraSpec newLora) {
        return new FinetuneRequest(studentModel, seed, maxDatasetSize, allowSmallerDatasets, epochs, perDeviceBatchSize,
                gradientAccumulationSteps, learningRate, scheduler, warmupSteps, maxGradNorm, adamBeta1, adamBeta2,
                adamEpsilon, weightDecay, maxSequenceLength, newLora, mixinSize, mixinIdent, tokenMask, decisionPointsRatio,
                decisionPointsSubset, systemPromptInfo, emptySystemPrompt, newLora == null ? 5 : checkpointsPerRun,
                loggingSteps, dataset, mixinDataset);
    }

    /** Optimizer updates per epoch for {@code trainRows} rows (§7.3: a final partial accumulation counts). */
    public int stepsPerEpoch(int trainRows) {
        int microBatches = (trainRows + perDeviceBatchSize - 1) / perDeviceBatchSize;
        return (microBatches + gradientAccumulationSteps - 1) / gradientAccumulationSteps;
    }

    /** Checkpoint interval (§7.3): ((N_train * epochs) / effective batch) / checkpointsPerRun, at least 1. */
    public int saveSteps(int trainRows) {
        int effectiveBatch = perDeviceBatchSize * gradientAccumulationSteps;
        return Math.max(1, (int) (((long) trainRows * epochs / effectiveBatch) / checkpointsPerRun));
    }

    /** The original's run-directory name (§7.8) for a dataset file base name such as "filtered_dataset_dpoints_only". */
    public String runDirectoryName(String datasetBaseName) {
        StringBuilder name = new StringBuilder(datasetBaseName.replace('_', '-'));
        if (mixinSize != null) {
            name.append("-mixin-").append(mixinIdent).append('-').append(mixinSize);
        }
        if (tokenMask == TokenMask.WITHOUT_DIVERGENCE) {
            name.append("-inverse");
        }
        if (decisionPointsRatio != null) {
            name.append("-ratio-").append(Math.round(decisionPointsRatio * 100));
        }
        if (decisionPointsSubset != null) {
            name.append("-subset-").append(decisionPointsSubset.name().toLowerCase(java.util.Locale.ROOT));
        }
        name.append(lora == null ? "-full" : "-lora-" + lora.rank());
        if (lora != null && !lora.layersToTransform().isEmpty()) {
            name.append("-layers-").append(layersName(lora.layersToTransform()));
        }
        if (scheduler != LrScheduler.LINEAR) {
            name.append("-scheduler-").append(scheduler.name().toLowerCase(java.util.Locale.ROOT));
        }
        name.append("-seed-").append(seed);
        if (systemPromptInfo != null) {
            name.append("-system-prompt");
        }
        if (emptySystemPrompt) {
            name.append("-empty-system-prompt");
        }
        return name.toString();
    }

    private static String layersName(List<Integer> layers) {
        if (layers.size() == 1) {
            return String.valueOf(layers.get(0));
        }
        boolean contiguous = layers.get(layers.size() - 1) - layers.get(0) == layers.size() - 1;
        if (contiguous) {
            return layers.get(0) + "to" + layers.get(layers.size() - 1);
        }
        return String.join("-", layers.stream().map(String::valueOf).toList());
    }

    @Override
    public StageKind kind() {
        return StageKind.FINETUNE;
    }

    @Override
    public boolean requiresGpu() {
        return true;
    }

    @Override
    public List<String> inputSlots() {
        return mixinSize == null ? List.of(DATASET) : List.of(DATASET, MIXIN);
    }

    @Override
    public FinetuneRequest withInputs(Map<String, ArtifactRef> inputs) {
        StageRequest.checkSlots(kind(), inputSlots(), inputs);
        return new FinetuneRequest(studentModel, seed, maxDatasetSize, allowSmallerDatasets, epochs, perDeviceBatchSize,
                gradientAccumulationSteps, learningRate, scheduler, warmupSteps, maxGradNorm, adamBeta1, adamBeta2,
                adamEpsilon, weightDecay, maxSequenceLength, lora, mixinSize, mixinIdent, tokenMask, decisionPointsRatio,
                decisionPointsSubset, systemPromptInfo, emptySystemPrompt, checkpointsPerRun, loggingSteps,
                inputs.getOrDefault(DATASET, dataset), inputs.getOrDefault(MIXIN, mixinDataset));
    }

    @Override
    public String summary() {
        return "finetune " + studentModel + " " + (lora == null ? "full" : "lora-" + lora.rank()) + " "
                + tokenMask.name().toLowerCase(java.util.Locale.ROOT) + " seed " + seed;
    }
}
