package io.subliminal.workflows.sweep;

import io.subliminal.workflows.stage.StageOutcome;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Client-side coordination that workflow code cannot do itself (orchestrator queue). */
@ActivityInterface
public interface CoordinationActivity {
    /**
     * Signal-with-start of the stage workflow {@code call.workflowId()} with {@code subscriber} subscribed. Returns
     * the outcome at once when that stage already completed, else null: the subscriber then gets a
     * {@link RunWorkflow#stageFinished} signal.
     */
    @ActivityMethod
    StageOutcome joinStage(StageCall call, String subscriber);

    /** Waits for the run workflow {@code runId} (started by an earlier sweep execution) and returns its result. */
    @ActivityMethod
    RunResult awaitRun(String runId);

    /**
     * The workflow IDs among {@code workflowIds} whose latest execution is still open. A stage workflow uses it to
     * forget subscribers that ended without unsubscribing (terminated runs, a lost unsubscribe signal).
     */
    @ActivityMethod
    java.util.List<String> openWorkflows(java.util.List<String> workflowIds);
}
