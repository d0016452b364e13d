package io.subliminal.workflows.stage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Misalignment evaluation with a judge (GPU); heartbeats finished questions. */
@ActivityInterface
public interface EvaluateMisalignmentActivity {
    @ActivityMethod
    EvaluateMisalignmentResult evaluateMisalignment(EvaluateMisalignmentRequest request);
}
