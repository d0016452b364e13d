package io.subliminal.workers.devserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.subliminal.workflows.sweep.SearchKeys;
import io.subliminal.workflows.sweep.SweepInput;
import io.subliminal.workflows.sweep.SweepResult;
import io.subliminal.workflows.sweep.SweepWorkflow;
import io.subliminal.workflows.sweep.TaskQueues;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.CountWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 acceptance against the REAL Temporal dev server (started here from {@code .tools/bin/temporal} on a random
 * port and a temporary SQLite file) with real workers as child JVMs running the real stages on SmolLM2-135M at tiny
 * sizes ({@code devserver/tiny-fig3.yaml}: 2 runs, every Fig-3 stage). One sweep goes through a GPU worker SIGKILLed
 * mid-finetune (a new one takes over from the published checkpoint) and a dev-server restart on the same SQLite file,
 * must complete, and re-launching it must start no new run or stage workflow.
 *
 * <p>Needs {@code bash scripts/setup.sh}; without the binary it is skipped, or fails when {@code CI=true}.
 */
@Tag("devserver")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevServerSweepTest {
    private static final String SWEEP_ID = "sweep/tiny-fig3";
    private static final Duration SWEEP_TIMEOUT = Duration.ofMinutes(25);

    @TempDir
    static Path dir;
    static Path root;
    static DevServer server;
    static WorkerProcess orchestrator;
    static WorkerProcess gpu;
    static WorkflowServiceStubs stubs;
    static WorkflowClient client;
    static SweepInput input;
    static SweepResult first;

    @BeforeAll
    static void startServerAndWorkers() throws Exception {
        root = IntegrationSetup.root();
        Path binary = IntegrationSetup.requireTool(DevServer.binary(root), root.resolve(".tools/bin/temporal"),
                "dev-server integration tests");
        Path reference = IntegrationSetup.referenceData(root);
        input = IntegrationSetup.tinySweep(root, "tiny-fig3.yaml");

        // children must not outlive a test JVM that is stopped early (SIGTERM, Ctrl-C)
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stopAll();
            } catch (Exception e) {
                System.err.println("dev-server test: stopping its processes: " + e);
            }
        }));
        server = DevServer.start(binary, dir);
        orchestrator = WorkerProcess.start("orchestrator", "orchestrator", server.address(), root, reference, dir);
        gpu = WorkerProcess.start("gpu-1", "gpu", server.address(), root, reference, dir);
        stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(server.address()).build());
        client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
        System.out.println("dev-server test: Temporal at " + server.address() + ", logs in " + dir);
    }

    @AfterAll
    static synchronized void stopAll() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {gpu, orchestrator}) {
            if (closeable != null) {
                closeable.close();
            }
        }
        if (stubs != null) {
            stubs.shutdownNow();
            stubs.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void sweepSurvivesGpuWorkerKillMidFinetuneAndServerRestart() throws Exception {
        WorkflowStub sweep = startSweep();

        awaitCheckpoint(sweep, Duration.ofMinutes(15));
        Path checkpoint = awaitHeartbeatedCheckpoint(Duration.ofMinutes(2));
        System.out.println("dev-server test: published " + checkpoint.getFileName() + "; SIGKILL of the GPU worker");
        gpu.kill();
        gpu = WorkerProcess.start("gpu-2", "gpu", server.address(), root,
                Path.of(System.getProperty("subliminal.reference.dir", root.resolve("../shared/reference").toString())).resolve("data"), dir);

        System.out.println("dev-server test: restarting the dev server on the same SQLite file");
        server.restart();

        first = sweep.getResult(SWEEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS, SweepResult.class);
        assertEquals(input.recipe().seeds().size() * input.recipe().conditions().size(), first.total(), "runs of the sweep");
        assertEquals(first.total(), first.done(), "finished runs; failures: " + first.failures());
        assertEquals(0, first.failed(), "failed runs: " + first.failures());

        int attempts = finetuneAttempts();
        assertTrue(attempts >= 2, "the killed finetune must be retried on the new worker (attempts " + attempts + ")");
        // the replacement worker has its own scratch: it resumed by fetching the published checkpoint from the store
        String sha256 = java.util.regex.Pattern.compile("\"sha256\"\\s*:\\s*\"([0-9a-f]{64})\"")
                .matcher(Files.readString(checkpoint)).results().findFirst().orElseThrow().group(1);
        try (Stream<Path> inputs = Files.walk(dir.resolve("worker-gpu-2"))) {
            assertTrue(inputs.anyMatch(p -> p.getFileName().toString().contains(sha256)),
                    "the replacement GPU worker fetched checkpoint " + checkpoint.getFileName() + " (sha256 " + sha256
                            + ") to resume; its log: " + gpu.log());
        }
    }

    @Test
    @Order(2)
    void relaunchingTheFinishedSweepDoesNoDuplicateWork() throws Exception {
        Assumptions.assumeTrue(first != null, "needs the finished sweep of the first test");
        long runs = count("WorkflowType = 'RunWorkflow'");
        long stages = count("WorkflowType = 'StageWorkflow'");
        long files = storeFiles();

        SweepResult again = startSweep().getResult(SWEEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS, SweepResult.class);

        assertEquals(first.total(), again.done(), "the relaunched sweep reports every run done; failures: " + again.failures());
        assertEquals(runs, count("WorkflowType = 'RunWorkflow'"), "run workflows after the relaunch");
        assertEquals(stages, count("WorkflowType = 'StageWorkflow'"), "stage workflows after the relaunch");
        assertEquals(files, storeFiles(), "artifact files after the relaunch");
    }

    private static WorkflowStub startSweep() {
        WorkflowOptions options = WorkflowOptions.newBuilder()
                .setWorkflowId(SWEEP_ID)
                .setTaskQueue(TaskQueues.ORCHESTRATOR)
                .setTypedSearchAttributes(SearchAttributes.newBuilder().set(SearchKeys.FIGURE, input.recipe().figure()).build())
                .build();
        SweepWorkflow workflow = client.newWorkflowStub(SweepWorkflow.class, options);
        WorkflowClient.start(workflow::run, input);
        return WorkflowStub.fromTyped(workflow);
    }

    /** Visibility counts lag writes by a moment: read until two reads a second apart agree. */
    private static long count(String query) throws InterruptedException {
        long previous = -1;
        for (int i = 0; i < 30; i++) {
            long now = stubs.blockingStub().countWorkflowExecutions(CountWorkflowExecutionsRequest.newBuilder()
                    .setNamespace("default").setQuery(query).build()).getCount();
            if (now == previous) {
                return now;
            }
            previous = now;
            Thread.sleep(1000);
        }
        return previous;
    }

    /** ActivityTaskStarted attempts of the finetune stage workflow(s): the highest one. */
    private static int finetuneAttempts() {
        int attempts = 0;
        var executions = stubs.blockingStub().listWorkflowExecutions(
                io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest.newBuilder().setNamespace("default")
                        .setQuery("WorkflowType = 'StageWorkflow' AND Stage = 'finetune'").build()).getExecutionsList();
        for (var execution : executions) {
            List<HistoryEvent> events = client.fetchHistory(execution.getExecution().getWorkflowId(),
                    execution.getExecution().getRunId()).getEvents();
            for (HistoryEvent event : events) {
                if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
                    attempts = Math.max(attempts, event.getActivityTaskStartedEventAttributes().getAttempt());
                }
            }
        }
        return attempts;
    }

    /** The first finetune checkpoint published to the store; fails at once when the sweep ends before one is. */
    private static Path awaitCheckpoint(WorkflowStub sweep, Duration timeout) throws Exception {
        Path under = dir.resolve("store/finetune");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(under)) {
                try (Stream<Path> files = Files.walk(under)) {
                    var found = files.filter(f -> f.getFileName().toString().startsWith("checkpoint-")
                            && f.getFileName().toString().endsWith(".manifest.json")).findFirst();
                    if (found.isPresent()) {
                        return found.get();
                    }
                }
            }
            var status = client.fetchHistory(SWEEP_ID).getLastEvent().getEventType();
            if (status == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED || status == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED) {
                fail("the sweep ended before a finetune checkpoint was published: "
                        + sweep.getResult(SweepResult.class).failures() + "; worker logs in " + dir);
            }
            Thread.sleep(2000);
        }
        throw new AssertionError("no finetune checkpoint under " + under + " within " + timeout + "; worker logs in " + dir);
    }

    /**
     * Waits until the running finetune's heartbeat names a checkpoint (heartbeats are throttled, so it can lag the
     * publication) and returns that checkpoint's manifest in the store.
     */
    private static Path awaitHeartbeatedCheckpoint(Duration timeout) throws Exception {
        var resumePoint = java.util.regex.Pattern.compile("\"resumePoint\"\\s*:\\s*(\\d+)");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            var running = stubs.blockingStub().listWorkflowExecutions(
                    io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest.newBuilder().setNamespace("default")
                            .setQuery("WorkflowType = 'StageWorkflow' AND Stage = 'finetune' AND ExecutionStatus = 'Running'")
                            .build()).getExecutionsList();
            for (var execution : running) {
                var described = stubs.blockingStub().describeWorkflowExecution(
                        io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder().setNamespace("default")
                                .setExecution(execution.getExecution()).build());
                for (var activity : described.getPendingActivitiesList()) {
                    for (var payload : activity.getHeartbeatDetails().getPayloadsList()) {
                        var step = resumePoint.matcher(payload.getData().toStringUtf8()).results().findFirst();
                        if (step.isPresent() && Integer.parseInt(step.get().group(1)) > 0) {
                            String name = "checkpoint-" + step.get().group(1) + ".zip.manifest.json";
                            try (Stream<Path> files = Files.walk(dir.resolve("store/finetune"))) {
                                var manifest = files.filter(f -> f.getFileName().toString().equals(name)).findFirst();
                                if (manifest.isPresent()) {
                                    return manifest.get();
                                }
                            }
                        }
                    }
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no running finetune heartbeated a checkpoint within " + timeout + "; logs in " + dir);
    }

    private static long storeFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
            return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".lock")).count();
        }
    }
}
