package io.subliminal.engine.train;

/**
 * Dynamic loss scaling for float16 training, with the rules and defaults of {@code torch.amp.GradScaler}: the loss is
 * multiplied by {@code scale} before backward so that small float16 gradients do not flush to zero; an update whose
 * gradients came out non-finite (a float16 overflow) is skipped and the scale halved; after
 * {@value #GROWTH_INTERVAL} finite updates in a row the scale doubles. The scale stays a power of two, so removing it
 * from the gradients is exact.
 *
 * <p>Skipped updates follow the HF Trainer with fp16: the data window is consumed and the step counted, but neither
 * the optimizer nor the learning-rate schedule advances.
 */
public final class LossScaler {

    public static final double INITIAL_SCALE = 65536.0;
    public static final double GROWTH_FACTOR = 2.0;
    public static final double BACKOFF_FACTOR = 0.5;
    public static final int GROWTH_INTERVAL = 2000;

    /**
     * What a checkpoint keeps of a scaler.
     *
     * @param scale the current loss scale
     * @param goodSteps finite updates since the scale last changed (torch's growth tracker)
     * @param skippedSteps updates skipped for overflow so far in the run
     */
    public record State(double scale, int goodSteps, int skippedSteps) {
        public State {
            if (!(scale > 0) || !Double.isFinite(scale)) {
                throw new IllegalArgumentException("loss scaler field 'scale' must be finite and positive: " + scale);
            }
            if (goodSteps < 0 || goodSteps >= GROWTH_INTERVAL || skippedSteps < 0) {
                throw new IllegalArgumentException("loss scaler fields 'goodSteps' " + goodSteps + " (0.."
                        + (GROWTH_INTERVAL - 1) + ") or 'skippedSteps' " + skippedSteps + " out of range");
            }
        }
    }

    private double scale = INITIAL_SCALE;
    private int goodSteps;
    private int skippedSteps;

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
     */
    public boolean record(boolean finite) {
        if (!finite) {
            scale = Math.max(Double.MIN_NORMAL, scale * BACKOFF_FACTOR);
            goodSteps = 0;
            skippedSteps++;
            return false;
        }
        if (++goodSteps == GROWTH_INTERVAL) {
            scale *= GROWTH_FACTOR;
            goodSteps = 0;
        }
        return true;
    }

    public State state() {
        return new State(scale, goodSteps, skippedSteps);
    }

    public void restore(State state) {
        scale = state.scale();
        goodSteps = state.goodSteps();
        skippedSteps = state.skippedSteps();
    }
}
