package io.subliminal.workflows.sweep;

import io.subliminal.workflows.stage.StageOutcome;
import java.util.Map;

/**
 * A finished sweep.
 *
 * @param figure figure id
 * @param total runs
 * @param done runs that succeeded
 * @param failed runs that failed (rerun by starting the sweep again: only failed runs re-execute)
 * @param failures run ID to failure message
 * @param aggregate the aggregation stage's outcome (CSV tables)
 */
public record SweepResult(String figure, int total, int done, int failed, Map<String, String> failures, StageOutcome aggregate) {
}
