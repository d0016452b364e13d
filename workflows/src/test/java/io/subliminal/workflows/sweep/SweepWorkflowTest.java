package io.subliminal.workflows.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.workflows.recipe.ModelRegistry;
import io.subliminal.workflows.recipe.Recipe;
import io.subliminal.workflows.recipe.RecipeLoader;
import io.subliminal.workflows.stage.EvaluatePreferenceRequest;
import io.subliminal.workflows.stage.StageKind;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SweepWorkflowTest {
    static final Path ROOT = Path.of(System.getProperty("subliminal.root", ".."));
    static final ModelRegistry REGISTRY = RecipeLoader.loadRegistry(ROOT.resolve("cfgs/models.yaml"));
    static final String RECIPE = """
            figure: %s
            category: animal
            models: [qwen]
            targets: [owl, cat]
            seeds: [42, 43]
            maxConcurrentRuns: 3
            conditions:
              - name: T-all
                evaluate: {preference: {}}
              - name: T-div
                divergence: {}
                finetune: {tokenMask: DIVERGENCE_ONLY}
                evaluate: {preference: {}}
            """;

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private RecordingStages stages;

    @BeforeEach
    void start() {
        env = TestWorkflowEnvironment.newInstance();
        SearchKeys.TYPES.forEach((name, type) -> env.registerSearchAttribute(name,
                type.equals("Int") ? IndexedValueType.INDEXED_VALUE_TYPE_INT : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
        client = env.getWorkflowClient();
        stages = new RecordingStages();
        Worker orchestrator = env.newWorker(TaskQueues.ORCHESTRATOR, WorkerOptions.newBuilder()
                .setDefaultDeadlockDetectionTimeout(10_000).build());
        orchestrator.registerWorkflowImplementationTypes(SweepWorkflowImpl.class, RunWorkflowImpl.class, StageWorkflowImpl.class);
        orchestrator.registerActivitiesImplementations(new TemporalCoordination(client), stages);
        Worker gpu = env.newWorker(TaskQueues.GPU, WorkerOptions.newBuilder()
                .setMaxHeartbeatThrottleInterval(Duration.ofMillis(200)).build());
        gpu.registerActivitiesImplementations(stages);
        env.start();
    }

    @AfterEach
    void stop() {
        env.close();
    }

    static Recipe recipe(String figure) {
        return RecipeLoader.parse(figure, RECIPE.formatted(figure));
    }

    private SweepWorkflow sweepStub(String id) {
        return client.newWorkflowStub(SweepWorkflow.class, WorkflowOptions.newBuilder().setWorkflowId(id)
                .setTaskQueue(TaskQueues.ORCHESTRATOR).build());
    }

    @Test
    void fanOutRunsEveryStageOnceAndSharesTeacherDataAndBaseEvaluations() {
        SweepResult result = sweepStub("sweep-fanout").run(SweepInput.of("test", recipe("fig-test"), REGISTRY));
        assertEquals(8, result.total());
        assertEquals(8, result.done());
        String grid = client.newWorkflowStub(SweepWorkflow.class, "sweep-fanout").progress().grid();
        assertTrue(grid.startsWith("**fig-test** 8 done · 0 failed · 0 running · 0 queued"), grid);
        assertTrue(grid.contains(" train |") && grid.contains(" divergence |") && grid.contains(" eval-preference-base |"), grid);
        assertTrue(grid.contains("| qwen/owl/T-div/seed-42 |"), grid);
        assertTrue(grid.contains("✅"), grid);
        assertEquals(2, stages.count(StageKind.GENERATE_NUMBERS), "one teacher dataset per target");
        assertEquals(2, stages.count(StageKind.MARK_DIVERGENCE), "one marking per target");
        assertEquals(8, stages.count(StageKind.FINETUNE));
        assertEquals(8 + 2, stages.count(StageKind.EVALUATE_PREFERENCE), "8 finetuned + one base evaluation per target");
        assertEquals(1, stages.count(StageKind.AGGREGATE));
        assertTrue(stages.calls.stream().filter(c -> c.kind() != StageKind.AGGREGATE).allMatch(c -> c.taskQueue().equals(TaskQueues.GPU)));
        assertTrue(stages.calls.stream().filter(c -> c.kind() == StageKind.AGGREGATE).allMatch(c -> c.taskQueue().equals(TaskQueues.ORCHESTRATOR)));
        long finetunedEvaluations = stages.calls.stream().filter(c -> c.request() instanceof EvaluatePreferenceRequest e && e.weights() != null).count();
        assertEquals(8, finetunedEvaluations, "finetuned evaluations get the trained weights bound");
        assertNotNull(result.aggregate());
        assertEquals(16.0, result.aggregate().metrics().get("rows"), "8 runs x (eval + base eval)");
        var aggregation = (io.subliminal.workflows.stage.AggregateRequest) stages.calls.stream()
                .filter(c -> c.kind() == StageKind.AGGREGATE).findFirst().orElseThrow().request();
        assertEquals(0, aggregation.rows().size(), "rows travel as stored pages, one per run");
        assertEquals(8, aggregation.rowPages().size());
        assertEquals(8, stages.rowStores.get());
        recordHistory("sweep-fanout", "sweep-fanout");
        var plan = new io.subliminal.workflows.recipe.RecipeExpander("test", recipe("fig-test"), REGISTRY).expand().get(0);
        recordHistory("stage-train", plan.stages().stream().filter(s -> s.name().equals("train")).findFirst().orElseThrow().workflowId());
        recordHistory("run-fig-test", "fig-test/qwen/owl/T-div/seed-42/" + io.subliminal.workflows.recipe.RecipeExpander.recipeHash(recipe("fig-test")));
    }

    @Test
    void identicalStagesAcrossFiguresAndRelaunchesExecuteOnce() {
        sweepStub("sweep-a").run(SweepInput.of("test", recipe("fig-a"), REGISTRY));
        long afterFirst = stages.calls.size();
        SweepResult second = sweepStub("sweep-b").run(SweepInput.of("test", recipe("fig-b"), REGISTRY));
        assertEquals(8, second.done());
        assertEquals(afterFirst + 1, stages.calls.size(), "another figure with the same stages only aggregates");
        SweepResult relaunch = sweepStub("sweep-a-again").run(SweepInput.of("test", recipe("fig-a"), REGISTRY));
        assertEquals(8, relaunch.done(), "a relaunch reads the finished runs");
        assertEquals(afterFirst + 2, stages.calls.size());
    }

    @Test
    void nonRetryableStageFailureFailsRunsFastAndRelaunchRetriesOnlyFailedWork() {
        stages.failing.add(StageKind.FINETUNE);
        SweepResult result = sweepStub("sweep-fail").run(SweepInput.of("test", recipe("fig-fail"), REGISTRY));
        assertEquals(8, result.failed());
        assertEquals(8, stages.count(StageKind.FINETUNE), "non-retryable: one attempt per run");
        assertEquals(0, stages.count(StageKind.EVALUATE_PREFERENCE) - 2, "only the base evaluations ran");
        String failure = result.failures().values().iterator().next();
        assertTrue(failure.contains("train") && failure.contains("bad finetune input"), failure);

        stages.failing.clear();
        long generations = stages.count(StageKind.GENERATE_NUMBERS);
        SweepResult relaunch = sweepStub("sweep-fail-again").run(SweepInput.of("test", recipe("fig-fail"), REGISTRY));
        assertEquals(8, relaunch.done());
        assertEquals(generations, stages.count(StageKind.GENERATE_NUMBERS), "completed stages are not redone");
        assertEquals(16, stages.count(StageKind.FINETUNE), "failed stages run again");
    }

    @Test
    void drainedActivityIsRetriedAndResumesFromItsCheckpoint() {
        stages.drainingOnce.add(StageKind.FINETUNE);
        Recipe small = RecipeLoader.parse("fig-drain", RECIPE.formatted("fig-drain")
                .replace("targets: [owl, cat]", "targets: [owl]").replace("seeds: [42, 43]", "seeds: [42]"));
        SweepResult result = sweepStub("sweep-drain").run(SweepInput.of("test", small, REGISTRY));
        assertEquals(2, result.done(), result.failures().toString());
        assertEquals(4, stages.count(StageKind.FINETUNE), "every training handed back once and ran again");
        assertEquals(List.of("checkpoint-83", "checkpoint-83"), stages.resumedFrom);
    }

    @Test
    void pauseUpdateAndResume() {
        SweepInput paused = new SweepInput("test", recipe("fig-upd"), REGISTRY, null, 0, true, List.of(), List.of());
        SweepWorkflow sweep = sweepStub("sweep-update");
        WorkflowClient.start(sweep::run, paused);
        SweepProgress before = sweep.progress();
        assertTrue(before.paused());
        assertEquals(8, before.pending());
        assertEquals(0, stages.calls.size(), "nothing starts while paused");
        assertTrue(before.grid().startsWith("**fig-upd** ⏸ paused · 0 done · 0 failed · 0 running · 8 queued"), before.grid());

        WorkflowUpdateException rejected = assertThrows(WorkflowUpdateException.class,
                () -> sweep.addRuns(new SweepExtension(List.of("unicorn"), List.of())));
        assertTrue(StageWorkflowImpl.rootMessage(rejected).contains("unicorn"), StageWorkflowImpl.rootMessage(rejected));
        assertThrows(WorkflowUpdateException.class, () -> sweep.addRuns(new SweepExtension(List.of("owl"), List.of(42L))));

        SweepProgress extended = sweep.addRuns(new SweepExtension(List.of("dog"), List.of(44L)));
        assertEquals(3 * 2 * 3, extended.total());
        sweep.resume();
        SweepResult result = WorkflowStub.fromTyped(sweep).getResult(SweepResult.class);
        assertEquals(18, result.done());
        assertEquals(3, stages.count(StageKind.GENERATE_NUMBERS));
        recordHistory("sweep-update-signals", "sweep-update");
    }

    @Test
    void continueAsNewKeepsStateAndFinishesEveryRun() {
        SweepInput input = new SweepInput("test", recipe("fig-can"), REGISTRY, null, 3, false, List.of(), List.of());
        SweepWorkflow sweep = sweepStub("sweep-can");
        var first = WorkflowClient.start(sweep::run, input);
        SweepResult result = client.newUntypedWorkflowStub("sweep-can").getResult(SweepResult.class);
        assertEquals(8, result.done());
        assertEquals(16.0, result.aggregate().metrics().get("rows"), "records of earlier executions are carried over");
        WorkflowExecutionHistory firstHistory = client.fetchHistory("sweep-can", first.getRunId());
        assertEquals(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, firstHistory.getLastEvent().getEventType());
        assertEquals(8, stages.count(StageKind.FINETUNE));
    }

    @Test
    void cancelReleasesTheGpuActivity() throws Exception {
        stages.blocking.add(StageKind.FINETUNE);
        SweepWorkflow sweep = sweepStub("sweep-cancel");
        WorkflowClient.start(sweep::run, SweepInput.of("test", recipe("fig-cancel"), REGISTRY));
        assertTrue(stages.blockedStarted.await(30, TimeUnit.SECONDS), "finetune started");
        WorkflowStub.fromTyped(sweep).cancel();
        assertTrue(stages.cancellationSeen.await(60, TimeUnit.SECONDS), "the finetune activity saw the cancellation");
        assertThrows(WorkflowFailedException.class, () -> WorkflowStub.fromTyped(sweep).getResult(SweepResult.class));
        var status = client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(env.getNamespace()).setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                        .setWorkflowId("sweep-cancel")).build()).getWorkflowExecutionInfo().getStatus();
        assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED, status);
        var plan = new io.subliminal.workflows.recipe.RecipeExpander("test", recipe("fig-cancel"), REGISTRY).expand().get(0);
        String trainStage = plan.stages().stream().filter(st -> st.name().equals("train")).findFirst().orElseThrow().workflowId();
        WorkflowFailedException abandoned = assertThrows(WorkflowFailedException.class,
                () -> client.newUntypedWorkflowStub(trainStage).getResult(io.subliminal.workflows.stage.StageOutcome.class));
        assertTrue(StageWorkflowImpl.rootMessage(abandoned).contains("abandoned"), StageWorkflowImpl.rootMessage(abandoned));
    }

    @Test
    void stageWhoseOnlySubscriberEndedWithoutLeavingIsAbandoned() {
        stages.blocking.add(StageKind.FINETUNE);
        var plan = new io.subliminal.workflows.recipe.RecipeExpander("test", recipe("fig-ghost"), REGISTRY).expand().get(0);
        var train = plan.stages().stream().filter(st -> st.name().equals("train")).findFirst().orElseThrow();
        var dataset = RecordingStages.artifact(train.request(), "dataset");
        java.util.Map<String, io.subliminal.workflows.payload.ArtifactRef> inputs = new java.util.LinkedHashMap<>();
        train.request().inputSlots().forEach(slot -> inputs.put(slot, dataset));
        StageCall call = new StageCall(train.key(), train.workflowId(), train.request().withInputs(inputs), java.util.Map.of());
        // a run that subscribed and was then terminated: it never unsubscribes
        new TemporalCoordination(client).joinStage(call, "terminated-run-that-never-existed");
        WorkflowFailedException abandoned = assertThrows(WorkflowFailedException.class,
                () -> client.newUntypedWorkflowStub(train.workflowId()).getResult(io.subliminal.workflows.stage.StageOutcome.class));
        assertTrue(StageWorkflowImpl.rootMessage(abandoned).contains("abandoned"), StageWorkflowImpl.rootMessage(abandoned));
        assertEquals(0, stages.cancellationSeen.getCount(), "the finetune activity was cancelled");
    }

    /** Writes a finished workflow's history for the replay tests when -Dsubliminal.recordHistories=true. */
    private void recordHistory(String name, String workflowId) {
        WorkflowExecutionHistory history = client.fetchHistory(workflowId);
        assertTrue(history.getEvents().stream().anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
                workflowId + " completed");
        if (Boolean.getBoolean("subliminal.recordHistories")) {
            Path dir = ROOT.resolve("workflows/src/test/resources/histories");
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(name + ".json"), history.toJson(true));
                Files.writeString(dir.resolve(name + ".id"), workflowId + "\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
