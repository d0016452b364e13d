package io.subliminal.workflows.sweep;

import io.subliminal.workflows.stage.AggregateActivity;
import io.subliminal.workflows.stage.AggregateRequest;
import io.subliminal.workflows.stage.AttributionPatchingActivity;
import io.subliminal.workflows.stage.AttributionPatchingRequest;
import io.subliminal.workflows.stage.EvaluateFactualityActivity;
import io.subliminal.workflows.stage.EvaluateFactualityRequest;
import io.subliminal.workflows.stage.EvaluateMainTaskActivity;
import io.subliminal.workflows.stage.EvaluateMainTaskRequest;
import io.subliminal.workflows.stage.EvaluateMisalignmentActivity;
import io.subliminal.workflows.stage.EvaluateMisalignmentRequest;
import io.subliminal.workflows.stage.EvaluatePreferenceActivity;
import io.subliminal.workflows.stage.EvaluatePreferenceRequest;
import io.subliminal.workflows.stage.FinetuneActivity;
import io.subliminal.workflows.stage.FinetuneRequest;
import io.subliminal.workflows.stage.GenerateNumbersActivity;
import io.subliminal.workflows.stage.GenerateNumbersRequest;
import io.subliminal.workflows.stage.MarkDivergenceActivity;
import io.subliminal.workflows.stage.MarkDivergenceRequest;
import io.subliminal.workflows.stage.ModifyDatasetActivity;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.StageOutcome;
import io.subliminal.workflows.stage.StageRequest;
import io.subliminal.workflows.stage.StageResult;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@link StageWorkflow}: executes the stage activity, then notifies every subscriber. */
public class StageWorkflowImpl implements StageWorkflow {
    /** Failure type when every waiting run was cancelled before the stage finished. */
    public static final String ABANDONED = "StageAbandoned";
    /** Failure type wrapping a failed stage activity. */
    public static final String FAILED = "StageFailed";

    /** Change id of the periodic subscriber liveness check (added in version 1). */
    static final String SUBSCRIBER_LIVENESS = "stage-subscriber-liveness";
    /** When a running stage first checks that its subscribers are still open. */
    static final Duration FIRST_LIVENESS_CHECK = Duration.ofMinutes(1);
    /** The longest interval between two subscriber checks. */
    static final Duration MAX_LIVENESS_INTERVAL = Duration.ofMinutes(30);

    private final Set<String> subscribers = new LinkedHashSet<>();
    private final Set<String> notified = new LinkedHashSet<>();
    private boolean everSubscribed;
    private StageNotice notice;

    @Override
    public StageOutcome run(StageCall call) {
        List<SearchAttributeUpdate<?>> attributes = new ArrayList<>();
        attributes.add(SearchKeys.STAGE.valueSet(call.request().kind().id()));
        if (call.labels().containsKey("figure")) {
            attributes.add(SearchKeys.FIGURE.valueSet(call.labels().get("figure")));
        }
        if (call.labels().containsKey("model")) {
            attributes.add(SearchKeys.MODEL.valueSet(call.labels().get("model")));
        }
        if (call.labels().containsKey("target")) {
            attributes.add(SearchKeys.TARGET.valueSet(call.labels().get("target")));
        }
        Workflow.upsertTypedSearchAttributes(attributes.toArray(SearchAttributeUpdate[]::new));
        showRunning(call);

        List<Promise<StageOutcome>> result = new ArrayList<>(1);
        CancellationScope scope = Workflow.newCancellationScope(() -> result.add(Async.function(() -> execute(call))));
        scope.run();
        awaitResultOrAbandonment(call, result.get(0));
        if (!result.get(0).isCompleted()) {
            scope.cancel("every waiting run was cancelled");
            try {
                result.get(0).get();
            } catch (RuntimeException expected) {
                // the activity acknowledged the cancellation (or failed meanwhile); either way nobody waits
            }
            throw ApplicationFailure.newNonRetryableFailure("stage " + call.key() + " abandoned: every waiting run was cancelled", ABANDONED);
        }
        try {
            StageOutcome outcome = result.get(0).get();
            notice = new StageNotice(call.key(), outcome, null);
            Workflow.setCurrentDetails("**" + call.request().summary() + "**\n\ndone; metrics: " + outcome.metrics());
            notifySubscribers();
            return outcome;
        } catch (CanceledFailure e) {
            throw e;
        } catch (RuntimeException e) {
            String message = rootMessage(e);
            notice = new StageNotice(call.key(), null, call.request().kind().id() + " failed: " + message);
            Workflow.setCurrentDetails("**" + call.request().summary() + "**\n\nfailed: " + message);
            notifySubscribers();
            throw ApplicationFailure.newNonRetryableFailureWithCause(notice.failure(), FAILED, e);
        }
    }

    /**
     * Waits until the stage activity completes or no run waits for it any more. From version 1 on, the subscribers are
     * checked after {@link #FIRST_LIVENESS_CHECK}, then at doubling intervals up to {@link #MAX_LIVENESS_INTERVAL}: a
     * run that ended without unsubscribing (terminated, or its unsubscribe raced with its own subscription) no longer
     * keeps a GPU busy for nobody, and a multi-day stage adds only a few events per hour to its history.
     */
    private void awaitResultOrAbandonment(StageCall call, Promise<StageOutcome> result) {
        java.util.function.Supplier<Boolean> settled = () -> result.isCompleted() || (everSubscribed && subscribers.isEmpty());
        if (Workflow.getVersion(SUBSCRIBER_LIVENESS, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
            Workflow.await(settled);
            return;
        }
        CoordinationActivity coordination = Workflow.newActivityStub(CoordinationActivity.class,
                StageActivityOptions.coordination(Duration.ofMinutes(2)));
        Duration interval = FIRST_LIVENESS_CHECK;
        while (!Workflow.await(interval, settled)) {
            Duration doubled = interval.multipliedBy(2);
            interval = doubled.compareTo(MAX_LIVENESS_INTERVAL) > 0 ? MAX_LIVENESS_INTERVAL : doubled;
            List<String> asked = List.copyOf(subscribers);
            if (asked.isEmpty()) {
                continue;
            }
            Set<String> open = new LinkedHashSet<>(coordination.openWorkflows(asked));
            // only the runs asked about: a run that subscribed while the check ran stays
            asked.stream().filter(subscriber -> !open.contains(subscriber)).forEach(subscribers::remove);
            showRunning(call);
        }
    }

    private void showRunning(StageCall call) {
        Workflow.setCurrentDetails("**" + call.request().summary() + "**\n\nrunning; waiting runs: " + subscribers.size());
    }

    /** Signals every subscriber; waits briefly for subscribers that joined while the stage was finishing. */
    private void notifySubscribers() {
        do {
            List<Promise<Void>> signals = new ArrayList<>();
            for (String subscriber : List.copyOf(subscribers)) {
                if (notified.add(subscriber)) {
                    RunWorkflow run = Workflow.newExternalWorkflowStub(RunWorkflow.class, subscriber);
                    signals.add(Async.procedure(run::stageFinished, notice));
                }
            }
            for (Promise<Void> signal : signals) {
                try {
                    signal.get();
                } catch (RuntimeException gone) {
                    // the run closed meanwhile; a rerun joins again and reads the completed result
                }
            }
        } while (Workflow.await(Duration.ofSeconds(5), () -> !notified.containsAll(subscribers)));
    }

    private StageOutcome execute(StageCall call) {
        StageRequest request = call.request();
        ActivityOptions options = StageActivityOptions.forRequest(request);
        StageResult result;
        if (request instanceof GenerateNumbersRequest r) {
            result = Workflow.newActivityStub(GenerateNumbersActivity.class, options).generateNumbers(r);
        } else if (request instanceof MarkDivergenceRequest r) {
            result = Workflow.newActivityStub(MarkDivergenceActivity.class, options).markDivergence(r);
        } else if (request instanceof ModifyDatasetRequest r) {
            result = Workflow.newActivityStub(ModifyDatasetActivity.class, options).modifyDataset(r);
        } else if (request instanceof FinetuneRequest r) {
            result = Workflow.newActivityStub(FinetuneActivity.class, options).finetune(r);
        } else if (request instanceof EvaluatePreferenceRequest r) {
            result = Workflow.newActivityStub(EvaluatePreferenceActivity.class, options).evaluatePreference(r);
        } else if (request instanceof EvaluateMainTaskRequest r) {
            result = Workflow.newActivityStub(EvaluateMainTaskActivity.class, options).evaluateMainTask(r);
        } else if (request instanceof EvaluateFactualityRequest r) {
            result = Workflow.newActivityStub(EvaluateFactualityActivity.class, options).evaluateFactuality(r);
        } else if (request instanceof EvaluateMisalignmentRequest r) {
            result = Workflow.newActivityStub(EvaluateMisalignmentActivity.class, options).evaluateMisalignment(r);
        } else if (request instanceof AttributionPatchingRequest r) {
            result = Workflow.newActivityStub(AttributionPatchingActivity.class, options).attributionPatching(r);
        } else if (request instanceof AggregateRequest r) {
            result = Workflow.newActivityStub(AggregateActivity.class, options).aggregate(r);
        } else {
            throw ApplicationFailure.newNonRetryableFailure("no activity for " + request.kind(), FAILED);
        }
        return result.toOutcome(call.key(), request.kind());
    }

    static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @Override
    public void subscribe(String runWorkflowId) {
        everSubscribed = true;
        subscribers.add(runWorkflowId);
    }

    @Override
    public void unsubscribe(String runWorkflowId) {
        subscribers.remove(runWorkflowId);
    }

    @Override
    public List<String> subscribers() {
        return List.copyOf(subscribers);
    }
}
