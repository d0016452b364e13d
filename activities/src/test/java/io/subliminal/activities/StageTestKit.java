package io.subliminal.activities;

import ai.djl.Device;
import io.subliminal.activities.engine.EngineModelLoader;
import io.subliminal.activities.engine.EngineSampler;
import io.subliminal.activities.engine.ScorerTeacherForcing;
import io.subliminal.activities.engine.TeacherForcing;
import io.subliminal.activities.engine.TokenSampler;
import io.subliminal.activities.support.ArtifactStageStore;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.ModelCache;
import io.subliminal.activities.support.ModelCatalog;
import io.subliminal.activities.support.ModelKey;
import io.subliminal.activities.support.ReferenceData;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageProgress;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.ModelBundle;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.store.LocalArtifactStore;
import io.subliminal.workflows.recipe.ModelRegistry;
import io.subliminal.workflows.recipe.ModelSpec;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test wiring of the real stages: a local artifact store under a temp folder, a registry with the embedded SmolLM2
 * ("smollm2-135m") and a tiny random llama with SmolLM2's tokenizer and chat template ("tiny"), one process-wide model
 * cache, the engine's sampler and scorer (wrapped to count calls), and Temporal's {@link TestActivityEnvironment}.
 */
final class StageTestKit implements AutoCloseable {
    static final String TINY = "tiny";
    static final String SMOL = "smollm2-135m";
    static final String TINY_OTHER = "tiny-other";

    /** Models are shared by all tests of the JVM, as in a worker process. */
    static final ModelCache MODELS = new ModelCache(StageTestKit::load);

    final Path root;
    final StageEnvironment env;
    final FaultInjectingStore store;
    /** When set, the sampler call with this 1-based number fails (a simulated worker loss mid-stage). */
    volatile int failSamplerCall;
    /** When set, the scorer call with this 1-based number fails. */
    volatile int failScorerCall;
    final AtomicInteger samplerCalls = new AtomicInteger();
    final AtomicInteger scorerCalls = new AtomicInteger();
    /** The decoder layer each sampler call read its logits out after. */
    final List<Integer> readoutLayers = new CopyOnWriteArrayList<>();
    final List<StageProgress> heartbeats = new CopyOnWriteArrayList<>();
    private TestActivityEnvironment temporal;

    StageTestKit(Path root) {
        this(root, io.subliminal.activities.judge.JudgeEndpoints.none());
    }

    /** A kit whose stages know {@code judges} as HTTP judges. */
    StageTestKit(Path root, io.subliminal.activities.judge.JudgeEndpoints judges) {
        this(root, judges, precision());
    }

    /** A kit whose worker runs its models in {@code precision} (e.g. FP16_MIXED on the CPU, as a GPU worker would). */
    StageTestKit(Path root, Precision precision) {
        this(root, io.subliminal.activities.judge.JudgeEndpoints.none(), precision);
    }

    private StageTestKit(Path root, io.subliminal.activities.judge.JudgeEndpoints judges, Precision precision) {
        this.root = root;
        try {
            LocalArtifactStore artifacts = new LocalArtifactStore(root.resolve("store"));
            store = new FaultInjectingStore(new ArtifactStageStore(artifacts, root.resolve("worker")));
            ModelRegistry registry = new ModelRegistry(List.of(
                    new ModelSpec(TINY, "tiny/llama-smollm2-vocab-seed-7", "llama", 2, "test model", "hf", true),
                    new ModelSpec(TINY_OTHER, "tiny/llama-smollm2-vocab-seed-8", "llama", 2, "test model", "hf", true),
                    new ModelSpec(SMOL, "HuggingFaceTB/SmolLM2-135M-Instruct", "llama", 30, "embedded", "gguf", true)));
            ModelCatalog catalog = new ModelCatalog(registry, EmbeddedModel.modelsDir(), precision, device());
            EngineSampler sampler = new EngineSampler();
            ScorerTeacherForcing scorer = new ScorerTeacherForcing();
            TokenSampler counted = new TokenSampler() {
                @Override
                public List<int[]> sample(LoadedModel model, List<int[]> prompts, io.subliminal.activities.engine.Decoding decoding,
                                          int max, int stop, long seed) {
                    return sample(model, prompts, decoding, max, stop, seed, model.transformer().config().numLayers() - 1);
                }

                @Override
                public List<int[]> sample(LoadedModel model, List<int[]> prompts, io.subliminal.activities.engine.Decoding decoding,
                                          int max, int stop, long seed, int readoutLayer) {
                    if (samplerCalls.incrementAndGet() == failSamplerCall) {
                        throw new IllegalStateException("simulated worker loss at sampler call " + failSamplerCall);
                    }
                    readoutLayers.add(readoutLayer);
                    return sampler.sample(model, prompts, decoding, max, stop, seed, readoutLayer);
                }
            };
            TeacherForcing countedScorer = (model, sequences) -> {
                if (scorerCalls.incrementAndGet() == failScorerCall) {
                    throw new IllegalStateException("simulated worker loss at scorer call " + failScorerCall);
                }
                return scorer.argmax(model, sequences);
            };
            env = new StageEnvironment(store, catalog, MODELS, counted, countedScorer, ReferenceData.fromSystemProperty(), () -> false,
                    judges);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        newAttempt(null);
    }

    /**
     * The worker device the kit's stages run the embedded model on: {@code -Dsubliminal.test.device} (default "cpu";
     * e.g. "cuda:0" to run a stage test such as SmolLm2PipelineIT on a GPU). Tiny test models stay on the CPU.
     */
    static String device() {
        return System.getProperty("subliminal.test.device", "cpu");
    }

    /** The precision a worker uses on {@link #device()}: float32 on the CPU, FP16_MIXED on an accelerator. */
    static Precision precision() {
        return device().startsWith("cpu") ? Precision.FP32 : Precision.FP16_MIXED;
    }

    /** A fresh Temporal test environment (a new attempt), optionally with the previous attempt's heartbeat details. */
    TestActivityEnvironment newAttempt(StageProgress previous) {
        if (temporal != null) {
            temporal.close();
        }
        temporal = TestActivityEnvironment.newInstance();
        temporal.setActivityHeartbeatListener(StageProgress.class, heartbeats::add);
        if (previous != null) {
            temporal.setHeartbeatDetails(previous);
        }
        temporal.registerActivitiesImplementations(new GenerateNumbersStage(env), new MarkDivergenceStage(env),
                new FinetuneStage(env), new EvaluatePreferenceStage(env), new EvaluateMainTaskStage(env),
                new ModifyDatasetStage(env), new EvaluateFactualityStage(env), new EvaluateMisalignmentStage(env),
                new AttributionPatchingStage(env));
        return temporal;
    }

    TestActivityEnvironment temporal() {
        return temporal;
    }

    /** A stub with one attempt (failures surface in the test) and generous timeouts. */
    <T> T stub(Class<T> activity) {
        return temporal.newActivityStub(activity, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(30))
                .setHeartbeatTimeout(Duration.ofSeconds(3))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    }

    /** Stores {@code rows} as a dataset artifact named {@code name} (e.g. "filtered_dataset.jsonl"). */
    io.subliminal.workflows.payload.ArtifactRef dataset(String name, List<io.subliminal.data.DatasetRow> rows) {
        Path file = root.resolve("fixtures").resolve(name);
        io.subliminal.data.Jsonl.write(file, rows);
        return env.store().put("fixtures/" + java.util.UUID.randomUUID() + "/" + name, file, "fixture", "test");
    }

    /** The last heartbeat seen. */
    StageProgress lastHeartbeat() {
        return heartbeats.get(heartbeats.size() - 1);
    }

    private static LoadedModel load(ModelKey key) {
        if (key.location().endsWith(".gguf")) {
            return new EngineModelLoader().load(key);
        }
        if (key.location().contains("tiny")) {
            ModelBundle smol = io.subliminal.engine.loader.ModelLoader.load(EmbeddedModel.smolLm2());
            smol.weights().close(); // only the tokenizer, template and defaults are used
            ModelConfig c = TinyModels.config("llama");
            ModelConfig config = new ModelConfig(c.modelType(), smol.tokenizer().vocabSize(), c.hiddenSize(), c.intermediateSize(),
                    c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(), c.rmsNormEps(), c.ropeTheta(), c.ropeScaling(),
                    c.tieWordEmbeddings(), c.attentionBias(), 2048, c.hiddenAct(), c.layerTypes(), c.slidingWindow(),
                    c.queryPreAttnScalar(), c.ropeLocalTheta(), c.finalLogitSoftcapping(), c.attnLogitSoftcapping(),
                    c.bosTokenId(), smol.generation().eosTokenIds(), c.padTokenId());
            long seed = Long.parseLong(key.location().substring(key.location().lastIndexOf('-') + 1));
            var weights = TinyModels.random(config, seed);
            ModelBundle bundle = new ModelBundle("tiny", weights, smol.tokenizer(), smol.chatTemplate(), smol.generation());
            return new LoadedModel(key, bundle, Transformer.load(weights, Device.cpu(), key.precision()));
        }
        throw new IllegalArgumentException("test kit cannot load " + key);
    }

    @Override
    public void close() {
        temporal.close();
    }
}
