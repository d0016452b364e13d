package io.subliminal.workflows.sweep;

import io.subliminal.workflows.stage.StageOutcome;
import java.util.Map;

/** A finished run: the outcome of each of its stages by stage name. */
public record RunResult(String runId, Map<String, StageOutcome> stages) {
    public RunResult {
        stages = stages == null ? Map.of() : Map.copyOf(stages);
    }
}
