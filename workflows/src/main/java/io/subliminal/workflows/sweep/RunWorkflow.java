package io.subliminal.workflows.sweep;

import io.subliminal.workflows.plan.RunPlan;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.Map;

/**
 * One run of a figure (ID figure/model/target/condition/seed-N/recipe-hash): executes its stage invocations in
 * dependency order, each through the shared {@link StageWorkflow} of its content key.
 */
@WorkflowInterface
public interface RunWorkflow {
    @WorkflowMethod
    RunResult run(RunPlan plan);

    /** Sent by a stage workflow this run subscribed to. */
    @SignalMethod
    void stageFinished(StageNotice notice);

    /** Stage name to status. */
    @QueryMethod
    Map<String, StageStatus> progress();
}
