package io.subliminal.workflows.sweep;

import io.subliminal.workflows.stage.StageOutcome;

/**
 * What a stage workflow tells each waiting run when it ends: the outcome, or why it failed.
 *
 * @param key content key of the stage
 * @param outcome the result, or null on failure
 * @param failure failure message, or null on success
 */
public record StageNotice(String key, StageOutcome outcome, String failure) {
}
