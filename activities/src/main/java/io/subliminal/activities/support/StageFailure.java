package io.subliminal.activities.support;

import io.temporal.failure.ApplicationFailure;
import io.subliminal.workflows.stage.StageFailures;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Maps what went wrong in a stage to a Temporal failure: bad parameters and missing or corrupt inputs fail at once
 * (non-retryable, the message names the field or file); storage hiccups, a lost worker and out-of-memory on the
 * accelerator are retried by the activity's retry policy.
 */
public final class StageFailure {
    /** Retryable type for an accelerator or host running out of memory. */
    public static final String OUT_OF_MEMORY = "OutOfMemory";
    /** Retryable type for a storage read/write that failed. */
    public static final String STORAGE = "StorageError";
    /** Retryable type for anything else unexpected. */
    public static final String INTERNAL = "StageError";

    private StageFailure() {
    }

    /** A request field is invalid: non-retryable, names the field. */
    public static ApplicationFailure invalidField(String field, String problem) {
        return ApplicationFailure.newNonRetryableFailure(field + ": " + problem, StageFailures.INVALID_INPUT);
    }

    /** An input artifact is missing or corrupt: non-retryable, names it. */
    public static ApplicationFailure badArtifact(String slot, String problem) {
        return ApplicationFailure.newNonRetryableFailure("input '" + slot + "': " + problem, StageFailures.ARTIFACT_INTEGRITY);
    }

    /** The model is unknown or unsupported by this stage: non-retryable. */
    public static ApplicationFailure unsupportedModel(String model, String problem) {
        return ApplicationFailure.newNonRetryableFailure("model '" + model + "': " + problem, StageFailures.UNSUPPORTED_MODEL);
    }

    /** The stage produced an unusable result (e.g. NaN loss): non-retryable. */
    public static ApplicationFailure diverged(String problem) {
        return ApplicationFailure.newNonRetryableFailure(problem, StageFailures.STAGE_DIVERGED);
    }

    /**
     * The Temporal failure for an exception escaping a stage: {@link ApplicationFailure}s pass through;
     * {@link InvalidInputException} and {@link io.subliminal.engine.train.TrainingDiverged} (no label tokens in an
     * update, non-finite loss) become non-retryable; out-of-memory (CUDA or JVM) and I/O errors stay retryable.
     */
    public static RuntimeException classify(Throwable error) {
        if (error instanceof ApplicationFailure failure) {
            return failure;
        }
        if (error instanceof io.temporal.client.ActivityCompletionException completion) {
            return completion;
        }
        if (error instanceof InvalidInputException invalid) {
            return ApplicationFailure.newNonRetryableFailureWithCause(invalid.getMessage(), invalid.failureType(), invalid);
        }
        if (error instanceof io.subliminal.engine.train.TrainingDiverged diverged) {
            return ApplicationFailure.newNonRetryableFailure(diverged.getMessage(), StageFailures.STAGE_DIVERGED);
        }
        if (isOutOfMemory(error)) {
            return ApplicationFailure.newFailureWithCause("out of memory: " + error.getMessage(), OUT_OF_MEMORY, error);
        }
        if (error instanceof IOException || error instanceof UncheckedIOException) {
            return ApplicationFailure.newFailureWithCause("storage: " + error.getMessage(), STORAGE, error);
        }
        return ApplicationFailure.newFailureWithCause(String.valueOf(error.getMessage()), INTERNAL, error);
    }

    /** True for JVM heap exhaustion and for the engine's CUDA / allocator out-of-memory errors anywhere in the cause chain. */
    public static boolean isOutOfMemory(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && (message.contains("CUDA out of memory") || message.contains("OutOfMemoryError")
                    || message.contains("DefaultCPUAllocator: can't allocate memory"))) {
                return true;
            }
        }
        return false;
    }
}
