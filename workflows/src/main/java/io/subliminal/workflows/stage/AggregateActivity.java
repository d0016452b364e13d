package io.subliminal.workflows.stage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Aggregation of a sweep's results (CPU, orchestrator queue). */
@ActivityInterface
public interface AggregateActivity {
    @ActivityMethod
    AggregateResult aggregate(AggregateRequest request);
}
