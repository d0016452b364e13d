package io.subliminal.workflows.stage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Main-task evaluation (GPU); heartbeats the number of finished batches. */
@ActivityInterface
public interface EvaluateMainTaskActivity {
    @ActivityMethod
    EvaluateMainTaskResult evaluateMainTask(EvaluateMainTaskRequest request);
}
