package io.subliminal.engine.train;

import java.nio.file.Path;

/** Progress callbacks of a {@link Trainer}, on the training thread (activities heartbeat from here). */
public interface TrainingListener {

    /** Called after every optimizer update. Throwing stops training (the exception propagates). */
    void onStep(TrainingProgress progress);

    /**
     * Called after each micro-batch's forward and backward, before the update ({@code microBatch} is 1-based), so
     * that long updates can heartbeat too. Throwing stops training.
     */
    default void onMicroBatch(int nextStep, int microBatch, int microBatches) {
    }

    /** Called after a checkpoint directory has been written completely. */
    default void onCheckpoint(int step, Path directory) {
    }

    /** A listener that ignores everything. */
    static TrainingListener none() {
        return p -> { };
    }
}
