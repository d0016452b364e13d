package io.subliminal.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.subliminal.workflows.recipe.RecipeLoader;
import io.subliminal.workflows.sweep.SweepInput;
import io.subliminal.workflows.sweep.SweepResult;
import io.subliminal.workflows.sweep.SweepWorkflow;
import io.subliminal.workflows.sweep.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Both roles as real Micronaut applications against an in-process Temporal service: a demo sweep end to end. */
class WorkerApplicationTest {
    static final Path ROOT = Path.of(System.getProperty("subliminal.root", ".."));

    private static EmbeddedServer start(String role) {
        // the real stage provider is on the class path too (the test provider outranks it): give it valid settings
        return ApplicationContext.run(EmbeddedServer.class, Map.of("test.temporal", "true", "subliminal.role", role,
                "micronaut.server.port", "-1", "subliminal.drain-timeout", "5s",
                "subliminal.registry-file", ROOT.resolve("cfgs/models.yaml").toString(),
                "subliminal.models-dir", ROOT.resolve("models").toString(),
                "subliminal.reference-dir", Path.of(System.getProperty("subliminal.reference.dir", ROOT.resolve("../shared/reference").toString())).resolve("data").toString(),
                "subliminal.worker-dir", ROOT.resolve("workers/target/worker-test").toString()));
    }

    private static String get(EmbeddedServer server, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.getURL() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    @Test
    void orchestratorAndGpuWorkersRunTheDemoSweepAndReportHealthAndMetrics() throws Exception {
        try (EmbeddedServer orchestrator = start("orchestrator"); EmbeddedServer gpu = start("gpu")) {
            assertTrue(get(orchestrator, "/health").startsWith("200"), get(orchestrator, "/health"));
            String gpuHealth = get(gpu, "/health");
            assertTrue(gpuHealth.startsWith("200") && gpuHealth.contains("\"role\":\"gpu\"") && gpuHealth.contains("Gpu"), gpuHealth);

            var registry = RecipeLoader.loadRegistry(ROOT.resolve("cfgs/models.yaml"));
            var demo = RecipeLoader.load(ROOT.resolve("cfgs/figures/demo-fig3-smollm2.yaml"), registry);
            WorkflowClient client = orchestrator.getApplicationContext().getBean(WorkflowClient.class);
            SweepWorkflow sweep = client.newWorkflowStub(SweepWorkflow.class, WorkflowOptions.newBuilder()
                    .setWorkflowId("sweep/demo").setTaskQueue(TaskQueues.ORCHESTRATOR).build());
            SweepResult result = sweep.run(SweepInput.of("demo", demo.recipe(), registry));
            assertEquals(6, result.done(), result.failures().toString());
            // 1 dataset + 1 marking + 6 trainings + 6 preference + 6 main-task + 1 base evaluation + 1 aggregation
            assertEquals(22, TestStageProvider.CALLS.get());
            assertEquals(6, TestStageProvider.ROW_STORES.get(), "each finished run's rows stored once, by the orchestrator");

            String metrics = get(gpu, "/prometheus");
            assertTrue(metrics.contains("subliminal_stage_duration_seconds_count{outcome=\"completed\",stage=\"Finetune\"} 6"), metrics);
            assertTrue(metrics.contains("subliminal_stage_tokens_per_second_count{stage=\"GenerateNumbers\"} 1"), metrics);
            assertTrue(get(orchestrator, "/prometheus").contains("subliminal_queue_backlog"));

            gpu.getApplicationContext().getBean(WorkerRole.class).drain();
            String drained = get(gpu, "/health");
            assertTrue(drained.startsWith("503") && drained.contains("\"draining\":true"), drained);
        }
    }
}
