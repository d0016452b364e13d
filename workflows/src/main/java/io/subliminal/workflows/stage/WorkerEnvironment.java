package io.subliminal.workflows.stage;

import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What a worker process offers to the stage activity implementations it hosts.
 *
 * @param role "gpu" or "orchestrator"
 * @param device accelerator of this process ("cuda:0", "cpu")
 * @param storeUri artifact store root ({@code file:///...} or {@code s3://bucket/prefix})
 * @param modelsDir where converted checkpoints and the embedded GGUF live
 * @param registryFile the model registry ({@code cfgs/models.yaml})
 * @param settings further {@code subliminal.*} settings by key
 * @param draining true once the worker is shutting down: long activities checkpoint and fail retryably so the
 *        server hands them to another worker
 * @param models the process's base-model cache (capacity 1 on GPU workers)
 */
public record WorkerEnvironment(String role, String device, String storeUri, String modelsDir, String registryFile,
                                Map<String, String> settings, BooleanSupplier draining, BaseModelCache models) {
    public WorkerEnvironment {
        Objects.requireNonNull(role, "role");
        settings = settings == null ? Map.of() : Map.copyOf(settings);
        draining = draining == null ? () -> false : draining;
        models = models == null ? new BaseModelCache(1) : models;
    }
}
