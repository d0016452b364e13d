package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * Aggregation of a sweep's results into one CSV per figure (CPU, orchestrator queue).
 *
 * @param figure the figure id (e.g. "fig-3")
 * @param sweepId the sweep workflow ID (names the output)
 * @param rows one row per finished stage and run
 * @param rescoreTargets extra words to count in preference evaluation results (Fig 35: "qwen")
 */
public record AggregateRequest(String figure, String sweepId, List<AggregateRow> rows, List<String> rescoreTargets)
        implements StageRequest {

    public AggregateRequest {
        Checks.nonBlank("figure", figure);
        Checks.nonBlank("sweepId", sweepId);
        rows = Checks.list(rows);
        rescoreTargets = Checks.list(rescoreTargets);
    }

    @Override
    public StageKind kind() {
        return StageKind.AGGREGATE;
    }

    @Override
    public boolean requiresGpu() {
        return false;
    }

    @Override
    public List<String> inputSlots() {
        return List.of();
    }

    @Override
    public AggregateRequest withInputs(Map<String, ArtifactRef> inputs) {
        StageRequest.checkSlots(kind(), inputSlots(), inputs);
        return this;
    }

    @Override
    public String summary() {
        return "aggregate " + figure + " (" + rows.size() + " rows)";
    }
}
