package io.subliminal.workflows.stage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Factuality evaluation (GPU); heartbeats the number of finished questions. */
@ActivityInterface
public interface EvaluateFactualityActivity {
    @ActivityMethod
    EvaluateFactualityResult evaluateFactuality(EvaluateFactualityRequest request);
}
