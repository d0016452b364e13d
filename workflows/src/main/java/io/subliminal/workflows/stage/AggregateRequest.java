package io.subliminal.workflows.stage;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param rowPages more rows, stored per run by {@link AggregateActivity#storeRunRows} (sorted by run for a stable
 *        content key); absent from the JSON when empty, so that requests without pages keep their content keys
 */
public record AggregateRequest(String figure, String sweepId, List<AggregateRow> rows, List<String> rescoreTargets,
                               @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ArtifactRef> rowPages)
        implements StageRequest {

    public AggregateRequest {
        Checks.nonBlank("figure", figure);
        Checks.nonBlank("sweepId", sweepId);
        rows = Checks.list(rows);
        rescoreTargets = Checks.list(rescoreTargets);
        rowPages = Checks.list(rowPages);
    }

    /** A request with every row inline. */
    public AggregateRequest(String figure, String sweepId, List<AggregateRow> rows, List<String> rescoreTargets) {
        this(figure, sweepId, rows, rescoreTargets, List.of());
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
        return "aggregate " + figure + " (" + (rowPages.isEmpty() ? rows.size() + " rows" : rows.size() + " rows, "
                + rowPages.size() + " stored runs") + ")";
    }
}
