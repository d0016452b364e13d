package io.subliminal.activities.aggregate;

import io.subliminal.store.ArtifactStores;
import io.subliminal.workflows.stage.StageActivityProvider;
import io.subliminal.workflows.stage.WorkerEnvironment;
import io.subliminal.workflows.sweep.TaskQueues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Registers {@link StoreAggregateActivity} on the orchestrator queue, over the worker's artifact store. */
public final class AggregateActivityProvider implements StageActivityProvider {

    @Override
    public List<Object> activities(String taskQueue, WorkerEnvironment environment) {
        if (!TaskQueues.ORCHESTRATOR.equals(taskQueue)) {
            return List.of();
        }
        if (environment.storeUri() == null || environment.storeUri().isBlank()) {
            throw new IllegalArgumentException("storeUri is required for the aggregate activity (subliminal.store)");
        }
        try {
            return List.of(new StoreAggregateActivity(ArtifactStores.fromUri(environment.storeUri())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open artifact store " + environment.storeUri(), e);
        }
    }
}
