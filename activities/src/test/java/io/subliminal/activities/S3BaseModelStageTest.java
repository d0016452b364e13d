package io.subliminal.activities;

import io.subliminal.activities.engine.EngineModelLoader;
import io.subliminal.activities.engine.EngineSampler;
import io.subliminal.activities.engine.ScorerTeacherForcing;
import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.ArtifactStageStore;
import io.subliminal.activities.support.ModelCache;
import io.subliminal.activities.support.ModelCatalog;
import io.subliminal.activities.support.ReferenceData;
import io.subliminal.activities.support.S3Checkpoints;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageFailure;
import io.subliminal.activities.support.StageProgress;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.loader.GgufFile;
import io.subliminal.engine.loader.HfConfig;
import io.subliminal.engine.loader.SafetensorsWeights;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.tokenizer.GgufTokenizer;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.InMemoryWeights;
import io.subliminal.engine.weights.SafetensorsWriter;
import io.subliminal.store.CountingS3Client;
import io.subliminal.store.LocalArtifactStore;
import io.subliminal.store.S3ModelCache;
import io.subliminal.store.S3TestServer;
import io.subliminal.workflows.recipe.ModelRegistry;
import io.subliminal.workflows.recipe.ModelSpec;
import io.subliminal.workflows.stage.GenerateNumbersActivity;
import io.subliminal.workflows.stage.GenerateNumbersRequest;
import io.subliminal.workflows.stage.GenerateNumbersResult;
import io.subliminal.workflows.stage.StageFailures;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A base model of a {@code source: s3} registry entry, end to end on a real S3-compatible server (S3Proxy): a tiny HF
 * checkpoint (sharded safetensors with their index, SmolLM2's tokenizer and chat template) uploaded the way
 * {@code aws s3 sync} would, read by a real stage (GenerateNumbersStage through Temporal's test environment) via
 * the worker's model catalog, host model cache and engine loader.
 */
class S3BaseModelStageTest {

    private static final String BUCKET = "subliminal-base-models";
    private static final String MODEL = "tiny-s3";
    private static final String PREFIX = "checkpoints/tiny-llama-smollm2-vocab/";

    @TempDir
    static Path work;

    private static S3TestServer server;
    private static S3Client client;
    private static Map<String, byte[]> checkpoint;

    @BeforeAll
    static void uploadCheckpoint() throws IOException {
        server = S3TestServer.start(work.resolve("s3"));
        client = server.client(server.settings());
        client.createBucket(b -> b.bucket(BUCKET));
        Path dir = Files.createDirectories(work.resolve("checkpoint"));
        checkpoint = writeTinyHfCheckpoint(dir);
        for (Map.Entry<String, byte[]> file : checkpoint.entrySet()) {
            client.putObject(b -> b.bucket(BUCKET).key(PREFIX + file.getKey()), RequestBody.fromBytes(file.getValue()));
        }
        // a prefix that is not a checkpoint: weights without config.json
        client.putObject(b -> b.bucket(BUCKET).key("checkpoints/no-config/model.safetensors"),
                RequestBody.fromBytes(checkpoint.get("model-00002-of-00002.safetensors")));
    }

    @AfterAll
    static void stopServer() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * A llama with 2 layers and SmolLM2's vocabulary in HF layout: config.json, two safetensors shards with
     * model.safetensors.index.json, tokenizer.json and tokenizer_config.json (chat template, special tokens) taken
     * from the embedded SmolLM2 GGUF, generation_config.json. Returns the files by name.
     */
    static Map<String, byte[]> writeTinyHfCheckpoint(Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 49152, "hidden_size": 32,
                 "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "hidden_act": "silu", "max_position_embeddings": 2048, "rms_norm_eps": 1e-05, "rope_theta": 100000,
                 "rope_scaling": null, "tie_word_embeddings": true, "attention_bias": false, "bos_token_id": 1,
                 "eos_token_id": 2, "pad_token_id": 2, "torch_dtype": "float32"}
                """);
        ModelConfig config = HfConfig.read(dir.resolve("config.json"));
        InMemoryWeights weights = TinyModels.random(config, 7);
        List<HostTensor> embeddings = new ArrayList<>();
        List<HostTensor> rest = new ArrayList<>();
        for (String name : weights.names()) {
            (name.startsWith("model.embed_tokens") ? embeddings : rest).add(weights.tensor(name));
        }
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), embeddings);
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), rest);
        StringBuilder map = new StringBuilder();
        for (HostTensor t : embeddings) {
            map.append(map.isEmpty() ? "" : ",").append('"').append(t.name()).append("\":\"model-00001-of-00002.safetensors\"");
        }
        for (HostTensor t : rest) {
            map.append(',').append('"').append(t.name()).append("\":\"model-00002-of-00002.safetensors\"");
        }
        Files.writeString(dir.resolve(SafetensorsWeights.INDEX_FILE), "{\"metadata\":{},\"weight_map\":{" + map + "}}");
        try (GgufFile gguf = GgufFile.open(EmbeddedModel.smolLm2())) {
            Files.writeString(dir.resolve("tokenizer.json"), GgufTokenizer.tokenizerJson(gguf));
            String template = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(gguf.string("tokenizer.chat_template"));
            Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\":\"<|im_start|>\",\"eos_token\":\"<|im_end|>\","
                    + "\"unk_token\":\"<|endoftext|>\",\"pad_token\":\"<|im_end|>\",\"chat_template\":" + template + "}");
        }
        Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\":1,\"eos_token_id\":2}");
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    /** One worker process: its own model cache (in memory) and stage environment, on the host's model cache dir. */
    private static final class Worker implements AutoCloseable {
        final ModelCache models = new ModelCache(new EngineModelLoader());
        final StageEnvironment env;
        final TestActivityEnvironment temporal = TestActivityEnvironment.newInstance();
        final List<StageProgress> heartbeats = new CopyOnWriteArrayList<>();

        Worker(Path root, S3Client s3, Path modelCache) throws IOException {
            ModelRegistry registry = new ModelRegistry(List.of(
                    new ModelSpec(MODEL, "test/tiny-llama", "llama", 2, "test model", "s3", true, "s3://" + BUCKET + "/" + PREFIX),
                    new ModelSpec("missing", "test/missing", "llama", 2, "test model", "s3", true,
                            "s3://" + BUCKET + "/checkpoints/nothing-here/"),
                    new ModelSpec("no-config", "test/no-config", "llama", 2, "test model", "s3", true,
                            "s3://" + BUCKET + "/checkpoints/no-config/")));
            S3Checkpoints checkpoints = new S3Checkpoints(() -> new S3ModelCache(s3, modelCache, 1L << 30, Clock.systemUTC()));
            ModelCatalog catalog = new ModelCatalog(registry, EmbeddedModel.modelsDir(), Precision.FP32, "cpu", checkpoints);
            ArtifactStageStore store = new ArtifactStageStore(new LocalArtifactStore(root.resolve("store")), root.resolve("worker"));
            env = new StageEnvironment(store, catalog, models, new EngineSampler(), new ScorerTeacherForcing(),
                    ReferenceData.fromSystemProperty(), () -> false);
            temporal.setActivityHeartbeatListener(StageProgress.class, heartbeats::add);
            temporal.registerActivitiesImplementations(new GenerateNumbersStage(env));
        }

        GenerateNumbersResult generate(String model) {
            return temporal.newActivityStub(GenerateNumbersActivity.class, ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(10))
                    .setHeartbeatTimeout(Duration.ofSeconds(3))
                    .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                    .build()).generateNumbers(GenerateNumbersStageTest.request(model, 4, 2, 4));
        }

        ApplicationFailure failure(String model) {
            ActivityFailure failure = assertThrows(ActivityFailure.class, () -> generate(model));
            return assertInstanceOf(ApplicationFailure.class, failure.getCause());
        }

        @Override
        public void close() {
            temporal.close();
            models.close();
        }
    }

    @Test
    void aStageLoadsTheCheckpointFromS3OnceAndThenFromTheHostCache() throws IOException {
        CountingS3Client s3 = new CountingS3Client(client);
        Path modelCache = work.resolve("host-model-cache");
        GenerateNumbersResult first;
        try (Worker worker = new Worker(work.resolve("worker-1"), s3, modelCache)) {
            first = worker.generate(MODEL);
            assertEquals(4, first.rawRows());
            assertTrue(first.generatedTokens() > 0);
            assertEquals(1, s3.count("LIST"), "one listing: " + s3.requests);
            assertEquals(checkpoint.size(), s3.count("GET"), "every file read once: " + s3.requests);
        }
        Path[] entries;
        try (Stream<Path> list = Files.list(modelCache)) {
            entries = list.filter(p -> !p.getFileName().toString().startsWith(".")).toArray(Path[]::new);
        }
        assertEquals(1, entries.length, "one cache entry");
        for (Map.Entry<String, byte[]> file : checkpoint.entrySet()) {
            assertArrayEquals(file.getValue(), Files.readAllBytes(entries[0].resolve(file.getKey())), file.getKey());
        }

        // a second worker process on the host (fresh in-memory model cache, fresh store): no S3 request at all
        s3.requests.clear();
        try (Worker second = new Worker(work.resolve("worker-2"), s3, modelCache)) {
            GenerateNumbersResult again = second.generate(MODEL);
            assertEquals(List.of(), s3.requests, "the second load hits the host cache");
            assertEquals(first.rawDataset().sha256(), again.rawDataset().sha256(), "the same model samples the same rows");
            assertEquals(first.generatedTokens(), again.generatedTokens());
        }
    }

    @ActivityInterface
    public interface ResolveModelActivity {
        @ActivityMethod
        StageProgress resolve(String model);
    }

    /** Resolves a model the way a stage does (inside its activity context) and returns the context's last progress. */
    public static final class ResolveModel implements ResolveModelActivity {
        private final StageEnvironment env;

        ResolveModel(StageEnvironment env) {
            this.env = env;
        }

        @Override
        public StageProgress resolve(String model) {
            StageProgress last;
            try (ActivityContext context = ActivityContext.current()) {
                assertEquals(context, ActivityContext.onThisThread().orElseThrow());
                env.catalog().key("model", model);
                last = context.latest();
            }
            assertTrue(ActivityContext.onThisThread().isEmpty(), "a closed context is no longer the thread's");
            return last;
        }
    }

    @Test
    void theDownloadReportsItsBytesAsTheStagesProgress() throws IOException {
        try (Worker worker = new Worker(work.resolve("worker-progress"), client, work.resolve("progress-model-cache"))) {
            worker.temporal.registerActivitiesImplementations(new ResolveModel(worker.env));
            StageProgress last = worker.temporal.newActivityStub(ResolveModelActivity.class, ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(2))
                    .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                    .build()).resolve(MODEL);
            long total = checkpoint.values().stream().mapToLong(b -> b.length).sum();
            assertEquals(new StageProgress("download-model " + MODEL, total, total, 0), last);
        }
    }

    @Test
    void aMissingPrefixOrConfigFailsWithoutRetryNamingTheFieldAndS3ErrorsAreRetried() throws IOException {
        CountingS3Client s3 = new CountingS3Client(client);
        try (Worker worker = new Worker(work.resolve("worker-bad"), s3, work.resolve("bad-model-cache"))) {
            ApplicationFailure missing = worker.failure("missing");
            assertTrue(missing.isNonRetryable(), missing.toString());
            assertEquals(StageFailures.INVALID_INPUT, missing.getType());
            assertTrue(missing.getOriginalMessage().startsWith("teacherModel: model 'missing' (s3://" + BUCKET
                    + "/checkpoints/nothing-here/)") && missing.getOriginalMessage().contains("no model files"),
                    missing.getOriginalMessage());

            ApplicationFailure noConfig = worker.failure("no-config");
            assertTrue(noConfig.isNonRetryable(), noConfig.toString());
            assertTrue(noConfig.getOriginalMessage().startsWith("teacherModel: model 'no-config'")
                    && noConfig.getOriginalMessage().contains("no config.json"), noConfig.getOriginalMessage());
            assertEquals(0, s3.count("GET"), "nothing downloaded for a prefix that is not a checkpoint");

            s3.failGets(key -> key.endsWith("tokenizer.json"));
            ApplicationFailure hiccup = worker.failure(MODEL);
            assertFalse(hiccup.isNonRetryable(), "an S3 error is retried: " + hiccup);
            assertEquals(StageFailure.STORAGE, hiccup.getType());
            assertTrue(hiccup.getOriginalMessage().contains(PREFIX + "tokenizer.json"), hiccup.getOriginalMessage());

            s3.failGets(key -> false);
            s3.requests.clear();
            assertEquals(4, worker.generate(MODEL).rawRows(), "the retry succeeds");
            assertEquals(List.of("LIST " + PREFIX, "GET " + PREFIX + "tokenizer.json", "GET " + PREFIX + "tokenizer_config.json"),
                    s3.requests, "the retry reads only what the failed attempt did not finish");
        }
    }
}
