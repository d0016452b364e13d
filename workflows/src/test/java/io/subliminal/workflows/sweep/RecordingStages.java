package io.subliminal.workflows.sweep;

import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.AggregateActivity;
import io.subliminal.workflows.stage.AggregateRequest;
import io.subliminal.workflows.stage.AggregateResult;
import io.subliminal.workflows.stage.AggregateRow;
import io.subliminal.workflows.stage.RunRowsRequest;
import io.subliminal.workflows.stage.AttributionPatchingActivity;
import io.subliminal.workflows.stage.AttributionPatchingRequest;
import io.subliminal.workflows.stage.AttributionPatchingResult;
import io.subliminal.workflows.stage.EvaluateFactualityActivity;
import io.subliminal.workflows.stage.EvaluateFactualityRequest;
import io.subliminal.workflows.stage.EvaluateFactualityResult;
import io.subliminal.workflows.stage.EvaluateMainTaskActivity;
import io.subliminal.workflows.stage.EvaluateMainTaskRequest;
import io.subliminal.workflows.stage.EvaluateMainTaskResult;
import io.subliminal.workflows.stage.EvaluateMisalignmentActivity;
import io.subliminal.workflows.stage.EvaluateMisalignmentRequest;
import io.subliminal.workflows.stage.EvaluateMisalignmentResult;
import io.subliminal.workflows.stage.EvaluatePreferenceActivity;
import io.subliminal.workflows.stage.EvaluatePreferenceRequest;
import io.subliminal.workflows.stage.EvaluatePreferenceResult;
import io.subliminal.workflows.stage.FinetuneActivity;
import io.subliminal.workflows.stage.FinetuneRequest;
import io.subliminal.workflows.stage.FinetuneResult;
import io.subliminal.workflows.stage.GenerateNumbersActivity;
import io.subliminal.workflows.stage.GenerateNumbersRequest;
import io.subliminal.workflows.stage.GenerateNumbersResult;
import io.subliminal.workflows.stage.MarkDivergenceActivity;
import io.subliminal.workflows.stage.MarkDivergenceRequest;
import io.subliminal.workflows.stage.MarkDivergenceResult;
import io.subliminal.workflows.stage.ModifyDatasetActivity;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.ModifyDatasetResult;
import io.subliminal.workflows.stage.StageFailures;
import io.subliminal.workflows.stage.StageKind;
import io.subliminal.workflows.stage.StageRequest;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * Test stage activities: record every call, return artifacts named after their request, and can fail or block
 * on demand. Tests only: the real implementations live in the activities module.
 */
final class RecordingStages implements GenerateNumbersActivity, MarkDivergenceActivity, ModifyDatasetActivity, FinetuneActivity,
        EvaluatePreferenceActivity, EvaluateMainTaskActivity, EvaluateFactualityActivity, EvaluateMisalignmentActivity,
        AttributionPatchingActivity, AggregateActivity {

    /** One recorded call: stage, request and the task queue it ran on. */
    record Call(StageKind kind, StageRequest request, String taskQueue) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final Set<StageKind> failing = ConcurrentHashMap.newKeySet();
    final Set<StageKind> blocking = ConcurrentHashMap.newKeySet();
    /** Kinds whose first attempt saves a "checkpoint" heartbeat and hands itself back (worker drain). */
    final Set<StageKind> drainingOnce = ConcurrentHashMap.newKeySet();
    /** Heartbeat details that retried attempts resumed from. */
    final List<String> resumedFrom = new CopyOnWriteArrayList<>();
    final CountDownLatch blockedStarted = new CountDownLatch(1);
    final CountDownLatch cancellationSeen = new CountDownLatch(1);
    /** Rows stored per run, by URI. */
    final Map<String, List<AggregateRow>> storedRows = new ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicInteger rowStores = new java.util.concurrent.atomic.AtomicInteger();

    long count(StageKind kind) {
        return calls.stream().filter(call -> call.kind() == kind).count();
    }

    private void enter(StageRequest request) {
        calls.add(new Call(request.kind(), request, Activity.getExecutionContext().getInfo().getActivityTaskQueue()));
        var context = Activity.getExecutionContext();
        if (drainingOnce.contains(request.kind())) {
            if (context.getInfo().getAttempt() == 1) {
                context.heartbeat("checkpoint-83");
                throw ApplicationFailure.newFailure("worker draining; checkpoint-83 saved", StageFailures.WORKER_DRAINED);
            }
            resumedFrom.add(context.getHeartbeatDetails(String.class).orElse("none"));
        }
        if (failing.contains(request.kind())) {
            throw ApplicationFailure.newNonRetryableFailure("bad " + request.kind().id() + " input for test", StageFailures.INVALID_INPUT);
        }
        if (blocking.contains(request.kind())) {
            blockedStarted.countDown();
            try {
                while (true) {
                    Activity.getExecutionContext().heartbeat("step");
                    Thread.sleep(50);
                }
            } catch (ActivityCompletionException e) {
                cancellationSeen.countDown();
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static ArtifactRef artifact(StageRequest request, String slot) {
        return new ArtifactRef("mem://" + request.kind().id() + "/" + slot, sha256(request.toString() + slot), 1);
    }

    @Override
    public GenerateNumbersResult generateNumbers(GenerateNumbersRequest request) {
        enter(request);
        return new GenerateNumbersResult(artifact(request, "raw"), artifact(request, "filtered"), request.promptCount(),
                request.promptCount() / 2, 100, 10.0);
    }

    @Override
    public MarkDivergenceResult markDivergence(MarkDivergenceRequest request) {
        enter(request);
        if (request.dataset() == null) {
            throw ApplicationFailure.newNonRetryableFailure("dataset unbound", StageFailures.INVALID_INPUT);
        }
        return new MarkDivergenceResult(artifact(request, "marked"), artifact(request, "matrices"), artifact(request, "predictions"),
                100, 40, 55, 1200);
    }

    @Override
    public ModifyDatasetResult modifyDataset(ModifyDatasetRequest request) {
        enter(request);
        return new ModifyDatasetResult(artifact(request, "dataset"), 100, 90, null);
    }

    @Override
    public FinetuneResult finetune(FinetuneRequest request) {
        enter(request);
        if (request.dataset() == null) {
            throw ApplicationFailure.newNonRetryableFailure("dataset unbound", StageFailures.INVALID_INPUT);
        }
        return new FinetuneResult(artifact(request, "final"), List.of(), artifact(request, "config"), null, 100, 17, 0.5, 1000);
    }

    @Override
    public EvaluatePreferenceResult evaluatePreference(EvaluatePreferenceRequest request) {
        enter(request);
        return new EvaluatePreferenceResult(artifact(request, "results"), artifact(request, "stats"),
                request.weights() == null ? 0.1 : 0.6, 0.05, Map.of());
    }

    @Override
    public EvaluateMainTaskResult evaluateMainTask(EvaluateMainTaskRequest request) {
        enter(request);
        return new EvaluateMainTaskResult(artifact(request, "stats"), 0.3, 0.2);
    }

    @Override
    public EvaluateFactualityResult evaluateFactuality(EvaluateFactualityRequest request) {
        enter(request);
        return new EvaluateFactualityResult(artifact(request, "results"), artifact(request, "stats"), 0.9, Map.of());
    }

    @Override
    public EvaluateMisalignmentResult evaluateMisalignment(EvaluateMisalignmentRequest request) {
        enter(request);
        return new EvaluateMisalignmentResult(artifact(request, "responses"), artifact(request, "judgements"), 0.1, 100, 5);
    }

    @Override
    public AttributionPatchingResult attributionPatching(AttributionPatchingRequest request) {
        enter(request);
        return new AttributionPatchingResult(artifact(request, "attributions"), artifact(request, "summary"), 90, 10);
    }

    @Override
    public AggregateResult aggregate(AggregateRequest request) {
        enter(request);
        int rows = request.rows().size();
        for (ArtifactRef page : request.rowPages()) {
            List<AggregateRow> stored = storedRows.get(page.uri());
            if (stored == null || !page.sha256().equals(sha256(stored.toString()))) {
                throw ApplicationFailure.newNonRetryableFailure("unknown row page " + page, StageFailures.INVALID_INPUT);
            }
            rows += stored.size();
        }
        return new AggregateResult(artifact(request, "table"), artifact(request, "summary"), rows);
    }

    @Override
    public ArtifactRef storeRunRows(RunRowsRequest request) {
        rowStores.incrementAndGet();
        String digest = sha256(request.rows().toString());
        storedRows.put("mem://rows/" + digest, request.rows());
        return new ArtifactRef("mem://rows/" + digest, digest, request.rows().size());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
