package io.subliminal.engine.train;

import java.util.Locale;

/**
 * Learning-rate multiplier per optimizer step, with the semantics of Hugging Face {@code get_scheduler} (a torch
 * {@code LambdaLR}): update number {@code s} (1-based) uses {@code baseLr * factor(s - 1)}, because the Trainer calls
 * {@code scheduler.step()} after each {@code optimizer.step()}. With warm-up the first update therefore has lr 0.
 *
 * <p>HF's {@code constant} ignores warm-up; {@code constant_with_warmup} ramps linearly and then stays at 1.
 *
 * @param kind the schedule family
 * @param warmupSteps linear ramp length (HF {@code num_warmup_steps})
 * @param totalSteps max_steps (HF {@code num_training_steps})
 * @param numCycles cosine waves: 0.5 for {@code cosine} (half a wave down to 0), 1 for {@code cosine_with_restarts}
 */
public record LrSchedule(Kind kind, int warmupSteps, int totalSteps, double numCycles) {

    /** The HF scheduler names this port supports. */
    public enum Kind {
        LINEAR, COSINE, COSINE_WITH_RESTARTS, CONSTANT, CONSTANT_WITH_WARMUP;

        /** The HF name ({@code linear}, {@code cosine}, ...). */
        public String hfName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses an HF scheduler name. */
        public static Kind fromHfName(String name) {
            for (Kind k : values()) {
                if (k.hfName().equals(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unsupported lr_scheduler_type '" + name
                    + "'; supported: linear, cosine, cosine_with_restarts, constant, constant_with_warmup");
        }
    }

    public LrSchedule {
        if (kind == null) {
            throw new IllegalArgumentException("lr schedule field 'kind' is null");
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("lr schedule field 'warmupSteps' is negative: " + warmupSteps);
        }
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("lr schedule field 'totalSteps' must be positive: " + totalSteps);
        }
        if (!(numCycles > 0)) {
            throw new IllegalArgumentException("lr schedule field 'numCycles' must be positive: " + numCycles);
        }
    }

    /** A schedule with HF's default cycle count for its kind. */
    public static LrSchedule of(Kind kind, int warmupSteps, int totalSteps) {
        return new LrSchedule(kind, warmupSteps, totalSteps, kind == Kind.COSINE_WITH_RESTARTS ? 1.0 : 0.5);
    }

    /** The paper's schedule: linear, 5 warm-up steps, decay to 0 at the last step (PROTOCOL 7.1). */
    public static LrSchedule paper(int totalSteps) {
        return of(Kind.LINEAR, 5, totalSteps);
    }

    /** The multiplier after {@code step} scheduler steps (0 before the first update). */
    public double factor(long step) {
        if (kind == Kind.CONSTANT) {
            return 1.0;
        }
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = (step - warmupSteps) / decaySteps;
        return switch (kind) {
            case LINEAR -> Math.max(0.0, (totalSteps - step) / decaySteps);
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress)));
            case COSINE_WITH_RESTARTS -> progress >= 1.0 ? 0.0
                    : Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((numCycles * progress) % 1.0))));
            case CONSTANT_WITH_WARMUP -> 1.0;
            case CONSTANT -> 1.0;
        };
    }

    /** The learning rate of update number {@code update} (1-based). */
    public double learningRate(double baseLr, long update) {
        if (update < 1) {
            throw new IllegalArgumentException("optimizer update numbers start at 1: " + update);
        }
        return baseLr * factor(update - 1);
    }
}
