package io.subliminal.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Step counts, checkpoints and learning rate of one finetuning run (PROTOCOL §7.1, §7.3) as the Hugging Face Trainer
 * computes them: a final partial accumulation window counts as an optimizer step, checkpoints every
 * {@code save_steps} plus one at the final step.
 *
 * @param nTrain                 training rows (after divergence-row dropping)
 * @param epochs                 epochs
 * @param batchSize              per-device micro-batch size
 * @param gradientAccumulation   micro-batches per optimizer step
 * @param lora                   LoRA run (20 intermediate checkpoints) or full finetuning (5)
 * @param learningRate           peak learning rate
 * @param warmupSteps            linear warm-up steps
 * @param scheduler              learning-rate schedule
 */
public record TrainSchedule(int nTrain, int epochs, int batchSize, int gradientAccumulation, boolean lora,
                            double learningRate, int warmupSteps, Scheduler scheduler) {

    /** {@code --lr_scheduler} values. */
    public enum Scheduler {
        LINEAR("linear"), COSINE("cosine"), COSINE_WITH_RESTARTS("cosine_with_restarts"), CONSTANT("constant");

        private final String id;

        Scheduler(String id) {
            this.id = id;
        }

        /** The command-line name. */
        public String id() {
            return id;
        }

        /** Parses a command-line name. */
        public static Scheduler of(String id) {
            for (Scheduler s : values()) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("lr_scheduler must be linear, cosine, cosine_with_restarts or constant, got " + id);
        }
    }

    public TrainSchedule {
        if (nTrain <= 0 || epochs <= 0 || batchSize <= 0 || gradientAccumulation <= 0) {
            throw new IllegalArgumentException("n_train, epochs, batch_size and gradient_accumulation must be positive: "
                    + nTrain + ", " + epochs + ", " + batchSize + ", " + gradientAccumulation);
        }
        if (warmupSteps < 0 || !(learningRate > 0)) {
            throw new IllegalArgumentException("warmup_steps must be >= 0 and learning_rate > 0");
        }
        if (scheduler == null) {
            throw new IllegalArgumentException("scheduler is required");
        }
    }

    /** The paper's LoRA run on {@code nTrain} rows: 10 epochs, batch 10 × accumulation 6, lr 2e-4 linear, 5 warm-up. */
    public static TrainSchedule paper(int nTrain) {
        return new TrainSchedule(nTrain, 10, 10, 6, true, 2e-4, 5, Scheduler.LINEAR);
    }

    /** ceil(N / batch). */
    public int microBatchesPerEpoch() {
        return (nTrain + batchSize - 1) / batchSize;
    }

    /** ceil(micro-batches / accumulation). */
    public int stepsPerEpoch() {
        return (microBatchesPerEpoch() + gradientAccumulation - 1) / gradientAccumulation;
    }

    /** epochs × steps per epoch. */
    public int maxSteps() {
        return epochs * stepsPerEpoch();
    }

    /** Micro-batches in optimizer step {@code step} (1-based over the run); the last window of an epoch may be short. */
    public int microBatchesInStep(int step) {
        if (step < 1 || step > maxSteps()) {
            throw new IllegalArgumentException("step " + step + " outside [1, " + maxSteps() + "]");
        }
        int inEpoch = (step - 1) % stepsPerEpoch();
        return Math.min(gradientAccumulation, microBatchesPerEpoch() - inEpoch * gradientAccumulation);
    }

    /** {@code ((N · epochs) // (batch · accumulation)) // (20 for LoRA, 5 for full)}. */
    public int saveSteps() {
        int total = (int) (((long) nTrain * epochs) / ((long) batchSize * gradientAccumulation));
        int s = total / (lora ? 20 : 5);
        if (s <= 0) {
            throw new IllegalStateException("save_steps would be 0 for n_train=" + nTrain + " (the original Trainer "
                    + "rejects this); use more rows or fewer steps per update");
        }
        return s;
    }

    /** Checkpoint steps: every multiple of save_steps up to max_steps, plus max_steps itself. */
    public List<Integer> checkpointSteps() {
        List<Integer> steps = new ArrayList<>();
        int save = saveSteps();
        for (int s = save; s <= maxSteps(); s += save) {
            steps.add(s);
        }
        if (steps.isEmpty() || steps.get(steps.size() - 1) != maxSteps()) {
            steps.add(maxSteps());
        }
        return steps;
    }

    /** The learning rate the optimizer uses at 0-based update {@code step} (transformers' schedule lambdas). */
    public double learningRateAt(int step) {
        int total = maxSteps();
        if (scheduler == Scheduler.CONSTANT) {
            return learningRate; // get_constant_schedule ignores warm-up
        }
        if (step < warmupSteps) {
            return learningRate * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, total - warmupSteps);
        return learningRate * switch (scheduler) {
            case LINEAR -> Math.max(0.0, (double) (total - step) / Math.max(1, total - warmupSteps));
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            case COSINE_WITH_RESTARTS -> progress >= 1.0 ? 0.0 : Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((1.0 * progress) % 1.0))));
            case CONSTANT -> 1.0;
        };
    }
}
