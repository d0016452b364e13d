package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/** What every stage result offers to generic wiring: named output artifacts and small numeric metrics. */
public interface StageResult {

    /** Output artifacts by slot name; downstream stages bind these to their input slots. */
    Map<String, ArtifactRef> outputArtifacts();

    /** Small metrics (rates, counts, throughput) for progress, aggregation and the Web UI. */
    Map<String, Double> outputMetrics();

    /** The generic form passed between workflows. */
    default StageOutcome toOutcome(String contentKey, StageKind kind) {
        return new StageOutcome(contentKey, kind, outputArtifacts(), outputMetrics());
    }
}
