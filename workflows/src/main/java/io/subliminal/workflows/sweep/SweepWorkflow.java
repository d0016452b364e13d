package io.subliminal.workflows.sweep;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One launch of a figure recipe: fans out {@link RunWorkflow} children (deterministic IDs, reuse policy
 * ALLOW_DUPLICATE_FAILED_ONLY, parent-close ABANDON) through a sliding window, then aggregates.
 */
@WorkflowInterface
public interface SweepWorkflow {
    @WorkflowMethod
    SweepResult run(SweepInput input);

    /** Adds targets and/or seeds; rejected by the validator when a value is unknown or nothing is new. */
    @UpdateMethod
    SweepProgress addRuns(SweepExtension extension);

    @UpdateValidatorMethod(updateName = "addRuns")
    void validateAddRuns(SweepExtension extension);

    /** Stop starting runs (running ones continue). */
    @SignalMethod
    void pause();

    /** Start runs again. */
    @SignalMethod
    void resume();

    /** Sent by the sweep's runs as their stages progress. */
    @SignalMethod
    void stageChanged(StageChange change);

    @QueryMethod
    SweepProgress progress();
}
