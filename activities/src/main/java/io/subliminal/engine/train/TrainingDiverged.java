package io.subliminal.engine.train;

/**
 * Training cannot go on with this data and configuration: an update window without label tokens, or a non-finite
 * loss or gradient norm. Deterministic, so retrying the same run gives the same failure.
 */
public final class TrainingDiverged extends IllegalStateException {

    public TrainingDiverged(String message) {
        super(message);
    }
}
