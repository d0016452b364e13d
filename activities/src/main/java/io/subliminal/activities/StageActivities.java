package io.subliminal.activities;

import io.subliminal.activities.engine.EngineModelLoader;
import io.subliminal.activities.engine.EngineSampler;
import io.subliminal.activities.engine.ScorerTeacherForcing;
import io.subliminal.activities.judge.JudgeEndpoints;
import io.subliminal.activities.support.ArtifactStageStore;
import io.subliminal.activities.support.ModelCache;
import io.subliminal.activities.support.ModelCatalog;
import io.subliminal.activities.support.ReferenceData;
import io.subliminal.activities.support.S3Checkpoints;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.engine.nn.Precision;
import io.subliminal.store.ArtifactStores;
import io.subliminal.store.S3ModelCache;
import io.subliminal.workflows.recipe.RecipeLoader;
import io.subliminal.workflows.stage.StageActivityProvider;
import io.subliminal.workflows.stage.WorkerEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Registers the stage implementations with the worker application ({@link StageActivityProvider} SPI). The GPU queue
 * gets every stage; the orchestrator queue gets dataset modification (its shuffles need no accelerator). One
 * {@link StageEnvironment} (store, model cache, engine) is shared per worker process.
 *
 * <p>Settings: {@code subliminal.worker.dir} (local input cache and scratch, default {@code ./worker}) and
 * {@code subliminal.reference.dir} (the protocol's data folder, {@code shared/reference/data} layout) and
 * {@code subliminal.judges.file} (judges served over HTTP; default {@code judges.yaml} next to the model registry,
 * none when that file does not exist), {@code subliminal.model.cache.dir} and {@code subliminal.model.cache.max-gb}
 * (where base models of {@code source: s3} registry entries are cached on this host, and its size bound in GiB;
 * defaults {@code models/cache} and 200; the S3 client is configured like the artifact store's, from the environment).
 */
public final class StageActivities implements StageActivityProvider {
    public static final String GPU_QUEUE = io.subliminal.workflows.sweep.TaskQueues.GPU;
    public static final String ORCHESTRATOR_QUEUE = io.subliminal.workflows.sweep.TaskQueues.ORCHESTRATOR;

    /** Worker setting: the directory of this host's S3 base-model cache. */
    public static final String MODEL_CACHE_DIR = "subliminal.model.cache.dir";
    /** Worker setting: the size bound of that cache in GiB. */
    public static final String MODEL_CACHE_MAX_GB = "subliminal.model.cache.max-gb";

    private static StageEnvironment shared;

    @Override
    public List<Object> activities(String taskQueue, WorkerEnvironment worker) {
        StageEnvironment env = environment(worker);
        if (GPU_QUEUE.equals(taskQueue)) {
            return List.of(new GenerateNumbersStage(env), new MarkDivergenceStage(env), new ModifyDatasetStage(env),
                    new FinetuneStage(env), new EvaluatePreferenceStage(env), new EvaluateMainTaskStage(env),
                    new EvaluateFactualityStage(env), new EvaluateMisalignmentStage(env),
                    new AttributionPatchingStage(env));
        }
        if (ORCHESTRATOR_QUEUE.equals(taskQueue)) {
            return List.of(new ModifyDatasetStage(env));
        }
        return List.of();
    }

    /** The HTTP judges of {@code subliminal.judges.file}, or of {@code judges.yaml} beside the registry if it exists. */
    static JudgeEndpoints judges(WorkerEnvironment worker) {
        String configured = worker.settings().get("subliminal.judges.file");
        if (configured != null && !configured.isBlank()) {
            return JudgeEndpoints.load(Path.of(configured));
        }
        Path beside = Path.of(worker.registryFile()).toAbsolutePath().resolveSibling("judges.yaml");
        return java.nio.file.Files.isRegularFile(beside) ? JudgeEndpoints.load(beside) : JudgeEndpoints.none();
    }

    /** The host's cache of S3 base models, as the worker settings configure it (opened on first use). */
    public static S3Checkpoints s3Checkpoints(WorkerEnvironment worker) {
        String dir = worker.settings().getOrDefault(MODEL_CACHE_DIR, "models/cache");
        long maxBytes = S3ModelCache.maxBytes("SUBLIMINAL_MODEL_CACHE_MAX_GB (" + MODEL_CACHE_MAX_GB + ")",
                worker.settings().getOrDefault(MODEL_CACHE_MAX_GB, "200"));
        return S3Checkpoints.fromEnvironment(Path.of(dir.isBlank() ? "models/cache" : dir), maxBytes, System.getenv());
    }

    /** The process's stage environment, built from the worker settings on first use. */
    public static synchronized StageEnvironment environment(WorkerEnvironment worker) {
        if (shared == null) {
            try {
                Path local = Path.of(worker.settings().getOrDefault("subliminal.worker.dir", "worker"));
                ArtifactStageStore store = new ArtifactStageStore(ArtifactStores.fromUri(worker.storeUri()), local);
                String device = worker.device() == null ? "cpu" : worker.device();
                Precision precision = device.startsWith("cpu") ? Precision.FP32 : Precision.FP16_MIXED;
                ModelCatalog catalog = new ModelCatalog(RecipeLoader.loadRegistry(Path.of(worker.registryFile())),
                        Path.of(worker.modelsDir()), precision, device, s3Checkpoints(worker));
                String reference = worker.settings().get("subliminal.reference.dir");
                if (reference == null) {
                    throw new IllegalStateException("worker setting subliminal.reference.dir (the protocol's data folder) is not set");
                }
                shared = new StageEnvironment(store, catalog, new ModelCache(new EngineModelLoader()), new EngineSampler(),
                        new ScorerTeacherForcing(), new ReferenceData(Path.of(reference)), worker.draining(), judges(worker));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the artifact store " + worker.storeUri() + ": " + e.getMessage(), e);
            }
        }
        return shared;
    }
}
