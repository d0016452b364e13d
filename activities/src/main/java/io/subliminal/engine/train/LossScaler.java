package io.subliminal.engine.train;

/**
 * Dynamic loss scaling for float16 training, with the rules and defaults of {@code torch.amp.GradScaler}: the loss is
 * multiplied by {@code scale} before backward so that small float16 gradients do not flush to zero; an update whose
 * gradients came out non-finite (a float16 overflow) is skipped and the scale halved; after
 * {@value #GROWTH_INTERVAL} finite updates in a row the scale doubles. The scale stays a power of two, so removing it
 * from the gradients is exact.
 *
 * <p>Skipped updates follow the HF Trainer with fp16: the data window is consumed and the step counted, but neither
 * the optimizer nor the learning-rate schedule advances. Unlike torch, {@value #MAX_SKIPS_IN_A_ROW} overflows in a
 * row (the scale down by 2^{@value #MAX_SKIPS_IN_A_ROW}) count as divergence: a run that never applies an update
 * should fail rather than consume its data.
 */
public final class LossScaler {

    public static final double INITIAL_SCALE = 65536.0;
    public static final double GROWTH_FACTOR = 2.0;
    public static final double BACKOFF_FACTOR = 0.5;
    public static final int GROWTH_INTERVAL = 2000;
    public static final int MAX_SKIPS_IN_A_ROW = 24;

    /**
     * What a checkpoint keeps of a scaler.
     *
     * @param scale the current loss scale
     * @param goodSteps finite updates since the scale last changed (torch's growth tracker)
     * @param skippedSteps updates skipped for overflow so far in the run
     * @param skipsInARow updates skipped since the last applied one
     */
    public record State(double scale, int goodSteps, int skippedSteps, int skipsInARow) {
        public State {
            if (!(scale > 0) || !Double.isFinite(scale)) {
                throw new IllegalArgumentException("loss scaler field 'scale' must be finite and positive: " + scale);
            }
            if (goodSteps < 0 || goodSteps >= GROWTH_INTERVAL || skippedSteps < 0 || skipsInARow < 0
                    || skipsInARow > skippedSteps) {
                throw new IllegalArgumentException("loss scaler fields 'goodSteps' " + goodSteps + " (0.."
                        + (GROWTH_INTERVAL - 1) + "), 'skippedSteps' " + skippedSteps + " or 'skipsInARow' "
                        + skipsInARow + " out of range");
            }
        }
    }

    private double scale = INITIAL_SCALE;
    private int goodSteps;
    private int skippedSteps;
    private int skipsInARow;

    /** The factor the loss is multiplied by before backward. */
    public double scale() {
        return scale;
    }

    /** Updates skipped for overflow so far. */
    public int skippedSteps() {
        return skippedSteps;
    }

    /**
     * Records the outcome of an update whose gradients were {@code finite} or not, and adjusts the scale for the next
     * one. Returns whether the update is to be applied.
     *
     * @throws TrainingDiverged at the {@value #MAX_SKIPS_IN_A_ROW}th overflow in a row
     */
    public boolean record(boolean finite) {
        if (!finite) {
            scale = Math.max(Double.MIN_NORMAL, scale * BACKOFF_FACTOR);
            goodSteps = 0;
            skippedSteps++;
            if (++skipsInARow >= MAX_SKIPS_IN_A_ROW) {
                throw new TrainingDiverged("float16 gradients overflowed " + skipsInARow + " updates in a row (loss "
                        + "scale now " + scale + "): the model's gradients are not finite at any scale");
            }
            return false;
        }
        skipsInARow = 0;
        if (++goodSteps == GROWTH_INTERVAL) {
            scale *= GROWTH_FACTOR;
            goodSteps = 0;
        }
        return true;
    }

    public State state() {
        return new State(scale, goodSteps, skippedSteps, skipsInARow);
    }

    public void restore(State state) {
        scale = state.scale();
        goodSteps = state.goodSteps();
        skippedSteps = state.skippedSteps();
        skipsInARow = state.skipsInARow();
    }
}
