package io.subliminal.workflows.sweep;

import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.plan.InputBinding;
import io.subliminal.workflows.plan.RunPlan;
import io.subliminal.workflows.plan.StageInvocation;
import io.subliminal.workflows.stage.StageOutcome;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link RunWorkflow}: starts every stage whose inputs are ready, waits for notices, fails fast on a failed stage. */
public class RunWorkflowImpl implements RunWorkflow {
    /** Failure type of a run whose stage failed. */
    public static final String STAGE_FAILED = "RunStageFailed";
    /** How long a run waits for a stage notice before it asks the stage workflow again (lost-signal safety net). */
    static final Duration REJOIN_AFTER = Duration.ofMinutes(15);
    /** Change id of the per-stage progress signals to the parent sweep (added in version 1). */
    static final String PROGRESS_SIGNALS = "run-progress-signals";

    private final CoordinationActivity coordination =
            Workflow.newActivityStub(CoordinationActivity.class, StageActivityOptions.coordination(Duration.ofMinutes(5)));
    private final Map<String, StageStatus> status = new LinkedHashMap<>();
    private final Map<String, StageNotice> notices = new HashMap<>();
    private final Map<String, StageOutcome> outcomes = new LinkedHashMap<>();
    private final Map<String, Promise<StageOutcome>> joins = new HashMap<>();
    private RunPlan plan;

    @Override
    public RunResult run(RunPlan runPlan) {
        this.plan = runPlan;
        runPlan.stages().forEach(stage -> status.put(stage.name(), StageStatus.PENDING));
        Workflow.upsertTypedSearchAttributes(SearchKeys.FIGURE.valueSet(runPlan.figure()), SearchKeys.MODEL.valueSet(runPlan.model()),
                SearchKeys.TARGET.valueSet(runPlan.target()), SearchKeys.CONDITION.valueSet(runPlan.condition()),
                SearchKeys.SEED.valueSet(runPlan.seed()));
        String self = Workflow.getInfo().getWorkflowId();
        try {
            while (status.containsValue(StageStatus.PENDING) || status.containsValue(StageStatus.RUNNING)) {
                for (StageInvocation stage : runPlan.stages()) {
                    if (status.get(stage.name()) == StageStatus.PENDING && inputsReady(stage)) {
                        join(stage, self);
                    }
                }
                showDetails();
                boolean progressed = Workflow.await(REJOIN_AFTER, this::anyRunningStageResolved);
                for (StageInvocation stage : runPlan.stages()) {
                    if (status.get(stage.name()) == StageStatus.RUNNING) {
                        settle(stage, self, progressed);
                    }
                }
            }
        } catch (CanceledFailure cancelled) {
            Workflow.newDetachedCancellationScope(this::leaveRunningStages).run();
            throw cancelled;
        }
        showDetails();
        return new RunResult(runPlan.runId(), outcomes);
    }

    private boolean inputsReady(StageInvocation stage) {
        return stage.inputs().values().stream().allMatch(input -> status.get(input.stage()) == StageStatus.DONE);
    }

    private void join(StageInvocation stage, String self) {
        Map<String, ArtifactRef> bound = new LinkedHashMap<>();
        for (Map.Entry<String, InputBinding> input : stage.inputs().entrySet()) {
            bound.put(input.getKey(), outcomes.get(input.getValue().stage()).artifact(input.getValue().output()));
        }
        StageCall call = new StageCall(stage.key(), stage.workflowId(), stage.request().withInputs(bound),
                Map.of("figure", plan.figure(), "model", plan.model(), "target", plan.target()));
        // a join is a short idempotent client call: never cancelled half-way, so that a cancelled run can wait for it
        // and unsubscribe after its subscription, never before
        List<Promise<StageOutcome>> join = new ArrayList<>(1);
        Workflow.newDetachedCancellationScope(() -> join.add(Async.function(coordination::joinStage, call, self))).run();
        joins.put(stage.name(), join.get(0));
        changeStatus(stage.name(), StageStatus.RUNNING);
        Workflow.upsertTypedSearchAttributes(SearchKeys.STAGE.valueSet(stage.request().kind().id()));
    }

    private boolean anyRunningStageResolved() {
        for (StageInvocation stage : plan.stages()) {
            if (status.get(stage.name()) == StageStatus.RUNNING
                    && (joins.get(stage.name()).isCompleted() || notices.containsKey(stage.key()))) {
                Promise<StageOutcome> join = joins.get(stage.name());
                boolean joinedWithoutResult = join.isCompleted() && join.getFailure() == null && join.get() == null;
                if (!joinedWithoutResult || notices.containsKey(stage.key())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Moves a running stage to DONE/FAILED when its join or notice says so; re-joins after a silent wait. */
    private void settle(StageInvocation stage, String self, boolean progressed) {
        Promise<StageOutcome> join = joins.get(stage.name());
        StageNotice notice = notices.get(stage.key());
        if (join.isCompleted() && join.getFailure() != null) {
            fail(stage, "could not start: " + StageWorkflowImpl.rootMessage(join.getFailure()), join.getFailure());
        } else if (join.isCompleted() && join.get() != null) {
            done(stage, join.get());
        } else if (notice != null && notice.outcome() != null) {
            done(stage, notice.outcome());
        } else if (notice != null) {
            fail(stage, notice.failure(), null);
        } else if (!progressed && join.isCompleted()) {
            // no notice for a long time: ask again (idempotent; returns the outcome if the stage finished meanwhile)
            status.put(stage.name(), StageStatus.PENDING);
        }
    }

    private void done(StageInvocation stage, StageOutcome outcome) {
        outcomes.put(stage.name(), outcome);
        changeStatus(stage.name(), StageStatus.DONE);
    }

    private void fail(StageInvocation stage, String message, Throwable cause) {
        changeStatus(stage.name(), StageStatus.FAILED);
        showDetails();
        String text = plan.runId() + ": stage " + stage.name() + " failed: " + message;
        throw ApplicationFailure.newNonRetryableFailure(text, STAGE_FAILED);
    }

    private void leaveRunningStages() {
        String self = Workflow.getInfo().getWorkflowId();
        for (StageInvocation stage : plan.stages()) {
            if (status.get(stage.name()) == StageStatus.RUNNING) {
                // a join still in flight would subscribe after our unsubscribe: let it finish first (it is detached)
                Promise<StageOutcome> join = joins.get(stage.name());
                Workflow.await(join::isCompleted);
                try {
                    Workflow.newExternalWorkflowStub(StageWorkflow.class, stage.workflowId()).unsubscribe(self);
                } catch (RuntimeException closed) {
                    // the stage workflow already ended
                }
                changeStatus(stage.name(), StageStatus.CANCELED);
            }
        }
        showDetails();
    }

    private void changeStatus(String stage, StageStatus newStatus) {
        status.put(stage, newStatus);
        int version = Workflow.getVersion(PROGRESS_SIGNALS, Workflow.DEFAULT_VERSION, 1);
        if (version >= 1 && Workflow.getInfo().getParentWorkflowId().isPresent()) {
            SweepWorkflow sweep = Workflow.newExternalWorkflowStub(SweepWorkflow.class, Workflow.getInfo().getParentWorkflowId().get());
            Async.procedure(sweep::stageChanged, new StageChange(plan.runId(), stage, newStatus));
        }
    }

    private void showDetails() {
        StringBuilder details = new StringBuilder("| stage | status | key |\n|---|---|---|\n");
        for (StageInvocation stage : plan.stages()) {
            details.append("| ").append(stage.name()).append(" | ").append(status.get(stage.name()).symbol()).append(' ')
                    .append(status.get(stage.name()).name().toLowerCase(java.util.Locale.ROOT)).append(" | `")
                    .append(stage.key(), 0, 12).append("` |\n");
        }
        Workflow.setCurrentDetails(details.toString());
    }

    @Override
    public void stageFinished(StageNotice notice) {
        notices.put(notice.key(), notice);
    }

    @Override
    public Map<String, StageStatus> progress() {
        return Map.copyOf(status);
    }
}
