package io.subliminal.workflows.stage;

import java.util.List;

/**
 * Application failure types that stage activities throw for errors a retry cannot fix
 * ({@code ApplicationFailure.newNonRetryableFailure(message, TYPE)}); activity retry policies list them as
 * non-retryable too, so a workflow fails fast on them.
 */
public final class StageFailures {
    /** A request field, input artifact or dataset row is invalid (the message names it). */
    public static final String INVALID_INPUT = "InvalidStageInput";
    /** An input artifact is missing or its sha256/size does not match its {@code ArtifactRef}. */
    public static final String ARTIFACT_INTEGRITY = "ArtifactIntegrity";
    /** The model is not in the registry or this stage does not support its family. */
    public static final String UNSUPPORTED_MODEL = "UnsupportedModel";
    /** The stage ran but its result is unusable (for example a diverging loss); retrying would repeat it. */
    public static final String STAGE_DIVERGED = "StageDiverged";

    /**
     * Retryable: the worker is draining (SIGTERM, {@code WorkerEnvironment.draining()}); the activity saved a
     * checkpoint (its last heartbeat details say which) and the server hands it to another worker.
     */
    public static final String WORKER_DRAINED = "WorkerDrained";

    /** All non-retryable types. */
    public static final List<String> NON_RETRYABLE = List.of(INVALID_INPUT, ARTIFACT_INTEGRITY, UNSUPPORTED_MODEL, STAGE_DIVERGED);

    private StageFailures() {
    }
}
