package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Aggregation of a sweep's results (CPU, orchestrator queue). */
@ActivityInterface
public interface AggregateActivity {
    @ActivityMethod
    AggregateResult aggregate(AggregateRequest request);

    /**
     * Stores one run's rows as a JSON artifact whose location depends on the rows only (storing the same rows again
     * returns the same reference) and returns it; {@link AggregateRequest#rowPages()} lists such artifacts.
     */
    @ActivityMethod
    ArtifactRef storeRunRows(RunRowsRequest request);
}
