package io.subliminal.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.workflows.stage.AggregateActivity;
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
        // the real stage provider is on the class path too (the test provider outranks it): give it valid settings
        Path root = Path.of(System.getProperty("subliminal.root", "..")).toAbsolutePath().normalize();
        WorkerEnvironment environment = new WorkerEnvironment("orchestrator", "cpu", store.toUri().toString(),
                root.resolve("models").toString(), root.resolve("cfgs/models.yaml").toString(),
                Map.of("subliminal.reference.dir", Path.of(System.getProperty("subliminal.reference.dir",
                        root.resolve("../shared/reference").toString())).resolve("data").toString(),
                        "subliminal.worker.dir", store.resolve("worker").toString()), null, null);
        List<Object> activities = WorkerRole.providedActivities(TaskQueues.ORCHESTRATOR, environment);
        List<Object> aggregates = activities.stream().filter(a -> a instanceof AggregateActivity).toList();
        assertEquals(1, aggregates.size(), activities.toString());
        assertEquals(TestStageProvider.Cpu.class, aggregates.get(0).getClass());
        assertTrue(WorkerRole.activityInterfaces(aggregates.get(0).getClass()).contains(AggregateActivity.class));
    }
}
