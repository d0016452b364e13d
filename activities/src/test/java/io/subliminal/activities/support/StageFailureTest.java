package io.subliminal.activities.support;

import io.subliminal.engine.train.TrainingDiverged;
import io.subliminal.workflows.stage.StageFailures;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StageFailureTest {

    @Test
    void deterministicTrainingFailuresAreNotRetried() {
        ApplicationFailure f = (ApplicationFailure) StageFailure.classify(
                new TrainingDiverged("update 3 (epoch 0, rows 8..11 of the epoch order) has no label tokens"));
        assertTrue(f.isNonRetryable());
        assertEquals(StageFailures.STAGE_DIVERGED, f.getType());
        assertTrue(f.getOriginalMessage().contains("no label tokens"));
    }

    @Test
    void storageAndMemoryFailuresAreRetried() {
        ApplicationFailure io = (ApplicationFailure) StageFailure.classify(new IOException("connection reset"));
        assertFalse(io.isNonRetryable());
        assertEquals(StageFailure.STORAGE, io.getType());
        ApplicationFailure oom = (ApplicationFailure) StageFailure.classify(
                new RuntimeException("CUDA out of memory. Tried to allocate 2.00 GiB"));
        assertFalse(oom.isNonRetryable());
        assertEquals(StageFailure.OUT_OF_MEMORY, oom.getType());
    }
}
