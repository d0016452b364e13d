package io.subliminal.engine.train;

/**
 * Hyper-parameters of one finetuning run (PROTOCOL 7.1; the optimizer is torch AdamW with betas 0.9/0.999 and
 * eps 1e-8).
 *
 * @param epochs passes over the rows
 * @param microBatchSize rows per forward/backward (HF per_device_train_batch_size)
 * @param gradientAccumulation micro-batches per optimizer update; an epoch's final partial window is an update too
 * @param learningRate peak learning rate
 * @param scheduler HF lr_scheduler_type
 * @param warmupSteps HF warmup_steps
 * @param maxGradNorm global-norm clip; 0 disables clipping
 * @param weightDecay AdamW weight decay
 * @param maxLength truncation length in tokens (the left part is kept)
 * @param seed run seed: data order, LoRA init, dropout
 * @param padTokenId id used for right padding (the tokenizer's pad, or eos)
 */
public record TrainingConfig(int epochs, int microBatchSize, int gradientAccumulation, double learningRate,
                             LrSchedule.Kind scheduler, int warmupSteps, double maxGradNorm, double weightDecay,
                             int maxLength, long seed, int padTokenId) {

    public TrainingConfig {
        positive("epochs", epochs);
        positive("microBatchSize", microBatchSize);
        positive("gradientAccumulation", gradientAccumulation);
        if (!(learningRate >= 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("training field 'learningRate' must be finite and >= 0: " + learningRate);
        }
        if (scheduler == null) {
            throw new IllegalArgumentException("training field 'scheduler' is null");
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("training field 'warmupSteps' is negative: " + warmupSteps);
        }
        if (!(maxGradNorm >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("training fields 'maxGradNorm' and 'weightDecay' must be >= 0: "
                    + maxGradNorm + ", " + weightDecay);
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("training field 'maxLength' must be at least 2: " + maxLength);
        }
        if (padTokenId < 0) {
            throw new IllegalArgumentException("training field 'padTokenId' is negative: " + padTokenId);
        }
    }

    /** The paper's settings: 10 epochs, batch 10 x accumulation 6, lr 2e-4 linear with 5 warm-up steps, clip 1.0, 500 tokens. */
    public static TrainingConfig paper(long seed, int padTokenId) {
        return new TrainingConfig(10, 10, 6, 2e-4, LrSchedule.Kind.LINEAR, 5, 1.0, 0.0, 500, seed, padTokenId);
    }

    /** ceil(rows / microBatchSize). */
    public int microBatchesPerEpoch(int rows) {
        return ceilDiv(rows, microBatchSize);
    }

    /** ceil(micro-batches / accumulation): a final partial window counts as an update (PROTOCOL 7.3). */
    public int updatesPerEpoch(int rows) {
        return ceilDiv(microBatchesPerEpoch(rows), gradientAccumulation);
    }

    /** max_steps = epochs x updates per epoch. */
    public int maxSteps(int rows) {
        return Math.multiplyExact(epochs, updatesPerEpoch(rows));
    }

    /** The learning-rate schedule over {@link #maxSteps}. */
    public LrSchedule schedule(int rows) {
        return LrSchedule.of(scheduler, warmupSteps, maxSteps(rows));
    }

    /**
     * The original code's checkpoint cadence: {@code ((rows * epochs) // (batch * accumulation)) // 20} for LoRA,
     * {@code // 5} for full finetuning (PROTOCOL 7.3); at least 1.
     */
    public int paperSaveSteps(int rows, boolean lora) {
        int perRun = (int) (((long) rows * epochs) / ((long) microBatchSize * gradientAccumulation));
        return Math.max(1, perRun / (lora ? 20 : 5));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("training field '" + field + "' must be positive: " + value);
        }
    }
}
