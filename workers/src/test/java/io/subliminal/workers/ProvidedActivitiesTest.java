package io.subliminal.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.workflows.stage.AggregateActivity;
import io.subliminal.workflows.stage.EvaluateMisalignmentActivity;
import io.subliminal.workflows.stage.WorkerEnvironment;
import io.subliminal.workflows.sweep.TaskQueues;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvidedActivitiesTest {

    @Test
    void theHigherPriorityProviderReplacesTheRealAggregateActivity(@TempDir Path store) {
        List<Object> activities = WorkerRole.providedActivities(TaskQueues.ORCHESTRATOR, environment(store));
        List<Object> aggregates = activities.stream().filter(a -> a instanceof AggregateActivity).toList();
        assertEquals(1, aggregates.size(), activities.toString());
        assertEquals(TestStageProvider.Cpu.class, aggregates.get(0).getClass());
        assertTrue(WorkerRole.activityInterfaces(aggregates.get(0).getClass()).contains(AggregateActivity.class));
    }

    @Test
    void theRealProviderServesMisalignmentEvaluationOnTheGpuQueue(@TempDir Path store) {
        // the test provider has no misalignment stage, so the real one (with cfgs/judges.yaml beside the registry) is registered
        List<Object> activities = WorkerRole.providedActivities(TaskQueues.GPU, environment(store));
        List<Object> misalignment = activities.stream().filter(a -> a instanceof EvaluateMisalignmentActivity).toList();
        assertEquals(1, misalignment.size(), activities.toString());
        assertEquals("io.subliminal.activities.EvaluateMisalignmentStage", misalignment.get(0).getClass().getName());
    }

    private static WorkerEnvironment environment(Path store) {
        // the real stage provider is on the class path too (the test provider outranks it): give it valid settings
        Path root = Path.of(System.getProperty("subliminal.root", "..")).toAbsolutePath().normalize();
        WorkerEnvironment environment = new WorkerEnvironment("orchestrator", "cpu", store.toUri().toString(),
                root.resolve("models").toString(), root.resolve("cfgs/models.yaml").toString(),
                Map.of("subliminal.reference.dir", Path.of(System.getProperty("subliminal.reference.dir",
                        root.resolve("../shared/reference").toString())).resolve("data").toString(),
                        "subliminal.worker.dir", store.resolve("worker").toString()), null, null);
        return environment;
    }
}
