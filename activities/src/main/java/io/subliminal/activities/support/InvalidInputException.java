package io.subliminal.activities.support;

import io.subliminal.workflows.stage.StageFailures;

/**
 * Thrown by stage logic for input a retry cannot fix (a request field, an input file or a dataset row); the message
 * names the field, file or row. {@link StageFailure#classify} turns it into a non-retryable Temporal failure.
 */
public final class InvalidInputException extends RuntimeException {
    private final String failureType;

    public InvalidInputException(String message) {
        this(message, StageFailures.INVALID_INPUT);
    }

    public InvalidInputException(String message, String failureType) {
        super(message);
        this.failureType = failureType;
    }

    /** One of {@link StageFailures}' non-retryable types. */
    public String failureType() {
        return failureType;
    }

    /** A bad or missing input artifact. */
    public static InvalidInputException artifact(String slot, String problem) {
        return new InvalidInputException("input '" + slot + "': " + problem, StageFailures.ARTIFACT_INTEGRITY);
    }

    /** A bad request field. */
    public static InvalidInputException field(String field, String problem) {
        return new InvalidInputException(field + ": " + problem);
    }
}
