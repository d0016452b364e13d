package io.subliminal.workflows.stage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Divergence-token marking (GPU); heartbeats the number of finished rows and resumes from it on retry. */
@ActivityInterface
public interface MarkDivergenceActivity {
    @ActivityMethod
    MarkDivergenceResult markDivergence(MarkDivergenceRequest request);
}
