package io.subliminal.workflows.sweep;

import io.subliminal.workflows.plan.RunPlan;
import io.subliminal.workflows.plan.StageInvocation;
import io.subliminal.workflows.recipe.CanonicalJson;
import io.subliminal.workflows.recipe.Recipe;
import io.subliminal.workflows.recipe.RecipeException;
import io.subliminal.workflows.recipe.RecipeExpander;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.AggregateActivity;
import io.subliminal.workflows.stage.AggregateRequest;
import io.subliminal.workflows.stage.AggregateRow;
import io.subliminal.workflows.stage.RunRowsRequest;
import io.subliminal.workflows.stage.StageOutcome;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.api.common.v1.WorkflowExecution;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link SweepWorkflow}: sliding-window fan-out, pause/resume, addRuns, continue-as-new, aggregation. */
public class SweepWorkflowImpl implements SweepWorkflow {
    /** Rows of the live grid (running runs first, then the latest finished). */
    static final int GRID_ROWS = 40;

    /** Change id of storing each finished run's rows in the artifact store (added in version 1). */
    static final String ROW_PAGES = "aggregate-row-pages";

    private final CoordinationActivity coordination =
            Workflow.newActivityStub(CoordinationActivity.class, StageActivityOptions.coordination(Duration.ofDays(30)));
    private final AggregateActivity rowStore =
            Workflow.newActivityStub(AggregateActivity.class, StageActivityOptions.coordination(Duration.ofMinutes(10)));
    private SweepInput input;
    private Recipe recipe;
    private final Map<String, RunPlan> plans = new LinkedHashMap<>();
    private final Deque<String> pending = new ArrayDeque<>();
    private final Map<String, Long> runningSince = new LinkedHashMap<>();
    private final Map<String, RunRecord> finished = new LinkedHashMap<>();
    private final Map<String, Map<String, StageStatus>> liveStages = new LinkedHashMap<>();
    private final Set<String> attached = new LinkedHashSet<>();
    private final Map<String, Promise<WorkflowExecution>> childStarts = new LinkedHashMap<>();
    private boolean paused;
    private int startedThisExecution;

    @Override
    public SweepResult run(SweepInput sweep) {
        this.input = sweep;
        this.recipe = sweep.recipe();
        this.paused = sweep.paused();
        sweep.finished().forEach(record -> finished.put(record.runId(), record));
        Workflow.upsertTypedSearchAttributes(SearchKeys.FIGURE.valueSet(recipe.figure()));
        replan();
        for (String runId : sweep.inFlight()) {
            if (plans.containsKey(runId) && pending.remove(runId)) {
                attach(plans.get(runId));
            }
        }
        try {
            while (true) {
                Workflow.await(() -> canStart() || allFinished() || shouldContinueAsNew());
                if (allFinished()) {
                    break;
                }
                if (shouldContinueAsNew()) {
                    // running children are abandoned, not stopped: the next execution waits for them. Each must have
                    // started first (a start command issued in the continue-as-new task would be lost).
                    Workflow.await(() -> childStarts.values().stream().allMatch(Promise::isCompleted));
                    Workflow.await(Workflow::isEveryHandlerFinished);
                    Workflow.continueAsNew(new SweepInput(input.file(), recipe, input.registry(), input.runIdHash(),
                            input.runsPerExecution(), paused, List.copyOf(finished.values()), List.copyOf(runningSince.keySet())));
                }
                if (canStart()) {
                    start(plans.get(pending.removeFirst()));
                }
                showGrid();
            }
        } catch (CanceledFailure cancelled) {
            // children are in the cancelled scope: they get cancellation requests and release their stages;
            // runs inherited from an earlier execution are not our children: cancel them explicitly
            Workflow.newDetachedCancellationScope(() -> {
                for (String runId : attached) {
                    if (runningSince.containsKey(runId)) {
                        try {
                            Workflow.newUntypedExternalWorkflowStub(runId).cancel();
                        } catch (RuntimeException closed) {
                            // it finished meanwhile
                        }
                    }
                }
                Workflow.await(runningSince::isEmpty);
            }).run();
            showGrid();
            throw cancelled;
        }
        showGrid();
        StageOutcome aggregate = aggregate();
        Map<String, String> failures = failures();
        return new SweepResult(recipe.figure(), plans.size(), plans.size() - failures.size(), failures.size(), failures, aggregate);
    }

    private boolean canStart() {
        return !paused && !pending.isEmpty() && runningSince.size() < recipe.maxConcurrentRuns() && !shouldContinueAsNew();
    }

    private boolean allFinished() {
        return pending.isEmpty() && runningSince.isEmpty();
    }

    private boolean shouldContinueAsNew() {
        return (startedThisExecution >= input.runsPerExecution() || Workflow.getInfo().isContinueAsNewSuggested())
                && !pending.isEmpty();
    }

    /** Expands the current recipe and queues every run not finished, running or queued yet. */
    private void replan() {
        for (RunPlan plan : new RecipeExpander(input.file(), recipe, input.registry(), input.runIdHash()).expand()) {
            if (plans.putIfAbsent(plan.runId(), plan) == null && !finished.containsKey(plan.runId())) {
                pending.addLast(plan.runId());
            }
        }
    }

    /** Waits (through the coordination activity) for a run an earlier execution started. */
    private void attach(RunPlan plan) {
        runningSince.put(plan.runId(), Workflow.currentTimeMillis());
        attached.add(plan.runId());
        Async.procedure(() -> {
            RunResult result = null;
            String failure = null;
            StageStatus status = StageStatus.DONE;
            try {
                result = coordination.awaitRun(plan.runId());
            } catch (CanceledFailure e) {
                status = StageStatus.CANCELED;
                failure = "cancelled";
            } catch (RuntimeException e) {
                status = StageStatus.FAILED;
                failure = StageWorkflowImpl.rootMessage(e);
            }
            finish(plan, result, status, failure);
        });
    }

    private void finish(RunPlan plan, RunResult result, StageStatus status, String failure) {
        List<AggregateRow> rows = rows(plan, result);
        ArtifactRef page = null;
        if (!rows.isEmpty() && Workflow.getVersion(ROW_PAGES, Workflow.DEFAULT_VERSION, 1) >= 1) {
            // the sweep's state and its aggregation request carry one reference per run, not the rows: a sweep of
            // thousands of evaluations stays far below Temporal's payload limits
            try {
                page = rowStore.storeRunRows(new RunRowsRequest(plan.runId(), rows));
                rows = List.of();
            } catch (RuntimeException storeFailed) {
                // cancelled meanwhile, or the store refused: the rows stay inline
            }
        }
        childStarts.remove(plan.runId());
        long started = runningSince.remove(plan.runId());
        liveStages.remove(plan.runId());
        finished.put(plan.runId(), new RunRecord(plan.runId(), plan.labels(), status, failure, rows,
                Workflow.currentTimeMillis() - started, page));
    }

    private void start(RunPlan plan) {
        startedThisExecution++;
        runningSince.put(plan.runId(), Workflow.currentTimeMillis());
        ChildWorkflowOptions options = ChildWorkflowOptions.newBuilder()
                .setWorkflowId(plan.runId())
                .setTaskQueue(TaskQueues.ORCHESTRATOR)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                        .set(SearchKeys.FIGURE, plan.figure()).set(SearchKeys.MODEL, plan.model())
                        .set(SearchKeys.TARGET, plan.target()).set(SearchKeys.CONDITION, plan.condition())
                        .set(SearchKeys.SEED, plan.seed()).build())
                .setStaticSummary(plan.figure() + " · " + plan.model() + " · " + plan.target() + " · " + plan.condition() + " · seed " + plan.seed())
                .setStaticDetails(staticDetails(plan))
                .build();
        RunWorkflow child = Workflow.newChildWorkflowStub(RunWorkflow.class, options);
        Promise<RunResult> running = Async.function(child::run, plan);
        childStarts.put(plan.runId(), Workflow.getWorkflowExecution(child));
        Async.procedure(() -> {
            RunResult result = null;
            String failure = null;
            StageStatus status = StageStatus.DONE;
            try {
                result = running.get();
            } catch (ChildWorkflowFailure e) {
                if (e.getCause() instanceof WorkflowExecutionAlreadyStarted) {
                    // an earlier launch started (or finished) this run: wait for it instead of redoing it
                    try {
                        result = coordination.awaitRun(plan.runId());
                    } catch (RuntimeException awaited) {
                        status = StageStatus.FAILED;
                        failure = StageWorkflowImpl.rootMessage(awaited);
                    }
                } else if (e.getCause() instanceof CanceledFailure) {
                    status = StageStatus.CANCELED;
                    failure = "cancelled";
                } else {
                    status = StageStatus.FAILED;
                    failure = StageWorkflowImpl.rootMessage(e);
                }
            } catch (CanceledFailure e) {
                status = StageStatus.CANCELED;
                failure = "cancelled";
            } catch (RuntimeException e) {
                status = StageStatus.FAILED;
                failure = StageWorkflowImpl.rootMessage(e);
            }
            finish(plan, result, status, failure);
        });
    }

    private static String staticDetails(RunPlan plan) {
        StringBuilder details = new StringBuilder("| stage | stage type | content key |\n|---|---|---|\n");
        for (StageInvocation stage : plan.stages()) {
            details.append("| ").append(stage.name()).append(" | ").append(stage.request().kind().id()).append(" | `")
                    .append(stage.key(), 0, 16).append("` |\n");
        }
        return details.toString();
    }

    /** The run's evaluation stages as aggregation rows. */
    private static List<AggregateRow> rows(RunPlan plan, RunResult result) {
        if (result == null) {
            return List.of();
        }
        List<AggregateRow> rows = new ArrayList<>();
        result.stages().entrySet().stream().filter(e -> e.getKey().startsWith("eval-")).sorted(Map.Entry.comparingByKey())
                .forEach(e -> rows.add(new AggregateRow(plan.runId(), plan.labels(), e.getKey(), e.getValue().contentKey(),
                        e.getValue().metrics(), e.getValue().artifacts())));
        return rows;
    }

    private StageOutcome aggregate() {
        // sorted so that the request (and its content key) does not depend on the order in which runs finished
        List<AggregateRow> rows = finished.values().stream().flatMap(record -> record.rows().stream())
                .sorted(java.util.Comparator.comparing(AggregateRow::runId).thenComparing(AggregateRow::stage)).toList();
        List<ArtifactRef> pages = finished.values().stream().filter(record -> record.rowsPage() != null)
                .sorted(java.util.Comparator.comparing(RunRecord::runId)).map(RunRecord::rowsPage).toList();
        AggregateRequest request = new AggregateRequest(recipe.figure(), Workflow.getInfo().getWorkflowId(), rows,
                recipe.rescoreTargets(), pages);
        String key = CanonicalJson.sha256(Map.of("stage", request.kind().id(), "version", request.kind().version(), "request", request));
        StageWorkflow stage = Workflow.newChildWorkflowStub(StageWorkflow.class, ChildWorkflowOptions.newBuilder()
                .setWorkflowId("stage/aggregate/" + key)
                .setTaskQueue(TaskQueues.ORCHESTRATOR)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                .setTypedSearchAttributes(SearchAttributes.newBuilder().set(SearchKeys.FIGURE, recipe.figure())
                        .set(SearchKeys.STAGE, request.kind().id()).build())
                .setStaticSummary(request.summary())
                .build());
        try {
            return stage.run(new StageCall(key, "stage/aggregate/" + key, request, Map.of("figure", recipe.figure())));
        } catch (ChildWorkflowFailure e) {
            if (e.getCause() instanceof WorkflowExecutionAlreadyStarted) {
                return coordination.joinStage(new StageCall(key, "stage/aggregate/" + key, request, Map.of("figure", recipe.figure())),
                        Workflow.getInfo().getWorkflowId());
            }
            throw e;
        }
    }

    private Map<String, String> failures() {
        Map<String, String> failures = new LinkedHashMap<>();
        finished.values().stream().filter(r -> r.status() != StageStatus.DONE).forEach(r -> failures.put(r.runId(), r.failure()));
        return failures;
    }

    private void showGrid() {
        Workflow.setCurrentDetails(grid());
    }

    /** Markdown: a header line with counts and ETA, then runs x stages. */
    String grid() {
        Set<String> stageNames = new LinkedHashSet<>();
        plans.values().forEach(plan -> plan.stages().forEach(stage -> stageNames.add(stage.name())));
        long done = finished.values().stream().filter(r -> r.status() == StageStatus.DONE).count();
        StringBuilder grid = new StringBuilder();
        grid.append("**").append(recipe.figure()).append("** ").append(paused ? "⏸ paused · " : "")
                .append(done).append(" done · ").append(finished.size() - done).append(" failed · ")
                .append(runningSince.size()).append(" running · ").append(pending.size()).append(" queued")
                .append(eta()).append("\n\n| run |");
        stageNames.forEach(name -> grid.append(' ').append(name).append(" |"));
        grid.append("\n|---|");
        stageNames.forEach(name -> grid.append("---|"));
        grid.append('\n');
        List<String> shown = new ArrayList<>(runningSince.keySet());
        List<String> recent = new ArrayList<>(finished.keySet());
        for (int i = recent.size() - 1; i >= 0 && shown.size() < GRID_ROWS; i--) {
            shown.add(recent.get(i));
        }
        for (String runId : shown.subList(0, Math.min(GRID_ROWS, shown.size()))) {
            RunPlan plan = plans.get(runId);
            if (plan == null) {
                continue;
            }
            grid.append("| ").append(plan.model()).append('/').append(plan.target()).append('/').append(plan.condition())
                    .append("/seed-").append(plan.seed()).append(" |");
            RunRecord record = finished.get(runId);
            Map<String, StageStatus> live = liveStages.getOrDefault(runId, Map.of());
            Set<String> own = new LinkedHashSet<>();
            plan.stages().forEach(stage -> own.add(stage.name()));
            for (String name : stageNames) {
                String cell;
                if (!own.contains(name)) {
                    cell = "";
                } else if (record != null && record.status() == StageStatus.DONE) {
                    cell = StageStatus.DONE.symbol();
                } else if (record != null) {
                    cell = live.getOrDefault(name, record.status()).symbol();
                } else {
                    cell = live.getOrDefault(name, StageStatus.PENDING).symbol();
                }
                grid.append(' ').append(cell).append(" |");
            }
            grid.append('\n');
        }
        return grid.toString();
    }

    /** ETA from the mean duration of finished runs and the window size (workflow clock, deterministic). */
    private String eta() {
        List<Long> durations = finished.values().stream().filter(r -> r.status() == StageStatus.DONE && r.durationMillis() > 0)
                .map(RunRecord::durationMillis).toList();
        if (durations.isEmpty() || (pending.isEmpty() && runningSince.isEmpty())) {
            return "";
        }
        double mean = durations.stream().mapToLong(Long::longValue).average().orElse(0);
        int remaining = pending.size() + runningSince.size();
        double waves = Math.ceil(remaining / (double) recipe.maxConcurrentRuns());
        Duration eta = Duration.ofMillis((long) (waves * mean));
        return " · ETA ~" + eta.toHours() + "h" + String.format("%02d", eta.toMinutesPart()) + "m";
    }

    @Override
    public SweepProgress addRuns(SweepExtension extension) {
        recipe = recipe.extendedWith(extension.targets(), extension.seeds());
        replan();
        showGrid();
        return progress();
    }

    @Override
    public void validateAddRuns(SweepExtension extension) {
        if (extension.targets().isEmpty() && extension.seeds().isEmpty()) {
            throw new IllegalArgumentException("addRuns needs targets and/or seeds");
        }
        Recipe extended = recipe.extendedWith(extension.targets(), extension.seeds());
        if (extended.targets().size() == recipe.targets().size() && extended.seeds().size() == recipe.seeds().size()
                && extended.targetsByModel().equals(recipe.targetsByModel())) {
            throw new IllegalArgumentException("addRuns: every target and seed is already in the sweep");
        }
        try {
            new RecipeExpander(input.file(), extended, input.registry(), input.runIdHash()).expand();
        } catch (RecipeException e) {
            throw new IllegalArgumentException("addRuns rejected: " + e.getMessage());
        }
    }

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
    }

    @Override
    public void stageChanged(StageChange change) {
        if (runningSince.containsKey(change.runId())) {
            liveStages.computeIfAbsent(change.runId(), id -> new LinkedHashMap<>()).put(change.stage(), change.status());
        }
    }

    @Override
    public SweepProgress progress() {
        Map<String, String> failures = failures();
        return new SweepProgress(recipe.figure(), plans.size(), pending.size(), runningSince.size(),
                finished.size() - failures.size(), failures.size(), paused, failures, grid());
    }
}
