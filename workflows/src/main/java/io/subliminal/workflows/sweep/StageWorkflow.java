package io.subliminal.workflows.sweep;

import io.subliminal.workflows.stage.StageOutcome;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Runs one content-keyed stage invocation exactly once for every run that needs it. Its ID is the content key;
 * runs join through signal-with-start (conflict policy USE_EXISTING, reuse policy ALLOW_DUPLICATE_FAILED_ONLY), so a
 * stage that completed is never redone and a failed one is retried by the next run that asks. When the last
 * subscriber leaves (its run was cancelled), the activity is cancelled so the GPU is released.
 */
@WorkflowInterface
public interface StageWorkflow {
    @WorkflowMethod
    StageOutcome run(StageCall call);

    /** A run waits for this stage: it gets a {@link RunWorkflow#stageFinished} signal at the end. */
    @SignalMethod
    void subscribe(String runWorkflowId);

    /** A run no longer waits (it was cancelled). */
    @SignalMethod
    void unsubscribe(String runWorkflowId);

    /** The runs waiting now. */
    @QueryMethod
    List<String> subscribers();
}
