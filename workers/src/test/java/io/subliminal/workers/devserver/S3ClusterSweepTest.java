package io.subliminal.workers.devserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.store.S3TestServer;
import io.subliminal.workflows.sweep.SearchKeys;
import io.subliminal.workflows.sweep.SweepInput;
import io.subliminal.workflows.sweep.SweepResult;
import io.subliminal.workflows.sweep.SweepWorkflow;
import io.subliminal.workflows.sweep.TaskQueues;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 6 acceptance: a small sweep on a cluster that shares an S3 artifact store. A real S3-compatible server
 * (S3Proxy from {@code .tools/s3proxy}, bucket created here), the real Temporal dev server, one orchestrator and TWO
 * GPU-role workers as separate JVMs, each configured by the environment {@code docker-compose.yml} gives its service
 * (read from the file, with this machine's addresses in the host variables a user sets, and the container's mount
 * points mapped to local folders), run {@code devserver/tiny-s3-cluster.yaml} (2 runs, every Fig-3 stage, tiny sizes).
 * The sweep must complete with stage activities on both GPU workers, every artifact a stage result names must be an
 * object in the bucket whose bytes hash to its reference and to its manifest, and the bucket must hold nothing else:
 * no object without a manifest or manifest without an object, no temporary keys, no open multipart uploads.
 *
 * <p>Needs {@code bash scripts/setup.sh}; without the tools it is skipped, or fails when {@code CI=true}.
 */
@Tag("devserver")
class S3ClusterSweepTest {
    private static final String SWEEP_ID = "sweep/tiny-s3-cluster";
    private static final Duration SWEEP_TIMEOUT = Duration.ofMinutes(12);
    private static final String BUCKET = "subliminal-cluster";
    private static final String PREFIX = "sweeps";
    private static final String CODE_VERSION = "s3-cluster-test";
    private static final String MANIFEST = ".manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)  // a failure keeps the worker, dev-server and S3Proxy logs
    static Path dir;
    static Path root;
    static S3TestServer s3;
    static S3Client bucket;
    static DevServer server;
    static WorkerProcess orchestrator;
    static final Map<String, WorkerProcess> GPU_WORKERS = new LinkedHashMap<>();
    static WorkflowServiceStubs stubs;
    static WorkflowClient client;
    static SweepInput input;

    @BeforeAll
    static void startCluster() throws Exception {
        root = IntegrationSetup.root();
        Path temporal = IntegrationSetup.requireTool(DevServer.binary(root), root.resolve(".tools/bin/temporal"), "S3 cluster integration test");
        Path reference = IntegrationSetup.referenceData(root);
        input = IntegrationSetup.tinySweep(root, "tiny-s3-cluster.yaml");

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stopAll();
            } catch (Exception e) {
                System.err.println("S3 cluster test: stopping its processes: " + e);
            }
        }));
        s3 = S3TestServer.start(dir);  // skips without .tools/s3proxy, fails under CI=true
        bucket = s3.client(s3.settings());
        bucket.createBucket(b -> b.bucket(BUCKET));  // what the compose file's minio-create-bucket does
        server = DevServer.start(temporal, dir);

        orchestrator = WorkerProcess.start("orchestrator", workerEnvironment("orchestrator", reference), root, dir);
        for (String service : List.of("gpu-worker-0", "gpu-worker-1")) {
            GPU_WORKERS.put(service, WorkerProcess.start(service, workerEnvironment(service, reference), root, dir));
        }
        // each worker polls the dev server and uses the shared bucket: fail here, not at the sweep's timeout
        List<WorkerProcess> workers = new ArrayList<>(GPU_WORKERS.values());
        workers.add(0, orchestrator);
        for (WorkerProcess worker : workers) {
            JsonNode health = JSON.readTree(worker.awaitHealthy(Duration.ofMinutes(2)));
            JsonNode details = health.findParent("store");  // the temporal indicator's details
            assertTrue(details != null, "no store in /health of " + worker.log().getFileName() + ": " + health);
            assertEquals(server.address(), details.path("temporal").asText(), "Temporal address of " + worker.log().getFileName());
            assertEquals("s3://" + BUCKET + "/" + PREFIX, details.path("store").asText(), "artifact store of " + worker.log().getFileName());
        }
        stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(server.address()).build());
        client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
        System.out.println("S3 cluster test: Temporal at " + server.address() + ", S3 at " + s3.endpoint() + ", logs in " + dir);
    }

    /**
     * The environment of compose service {@code service}: the host variables a user exports to point workers at a
     * head node (README "Scale out"), here this machine's dev server and S3 server; the container's mount points
     * ({@code /cache}, {@code /reference}, {@code /models}) mapped to local folders; what the image sets
     * ({@code docker/worker.Dockerfile}: registry file, code version; work dir {@code /work}, so the default worker
     * dir {@code /work/worker}) given here; no GPU here, so {@code cuda:0} becomes {@code cpu}.
     */
    private static Map<String, String> workerEnvironment(String service, Path reference) throws IOException {
        Map<String, String> host = Map.of(
                "TEMPORAL_ADDRESS", server.address(),
                "TEMPORAL_NAMESPACE", "default",
                "SUBLIMINAL_S3_ENDPOINT", s3.endpoint().toString(),
                "MINIO_ROOT_USER", S3TestServer.ACCESS_KEY,
                "MINIO_ROOT_PASSWORD", S3TestServer.SECRET_KEY,
                "SUBLIMINAL_BUCKET", BUCKET,
                "SUBLIMINAL_STORE_PREFIX", PREFIX);
        Map<String, String> env = new HashMap<>(ComposeEnvironment.of(root.resolve("docker-compose.yml"), service, host));
        Map<String, Path> mounts = Map.of("/cache", dir.resolve("cache-" + service), "/reference", reference,
                "/models", root.resolve("models"));
        env.replaceAll((name, value) -> {
            for (var mount : mounts.entrySet()) {
                if (value.equals(mount.getKey()) || value.startsWith(mount.getKey() + "/")) {
                    return mount.getValue() + value.substring(mount.getKey().length());
                }
            }
            return value;
        });
        assertEquals("cuda:0".equals(env.get("SUBLIMINAL_DEVICE")), service.startsWith("gpu-worker-"),
                service + ": GPU workers (only) run on their container's device cuda:0: " + env);
        env.put("SUBLIMINAL_DEVICE", "cpu");
        env.put("SUBLIMINAL_REGISTRY_FILE", root.resolve("cfgs/models.yaml").toString());
        env.put("SUBLIMINAL_CODE_VERSION", CODE_VERSION);
        env.put("SUBLIMINAL_WORKER_DIR", dir.resolve("worker-" + service).toString());
        env.put("SUBLIMINAL_DRAIN_TIMEOUT", "20s");
        env.put("SUBLIMINAL_S3_PART_SIZE_MB", "5");  // S3's smallest part: larger artifacts go up as multipart uploads
        return env;
    }

    @AfterAll
    static synchronized void stopAll() throws Exception {
        List<AutoCloseable> processes = new ArrayList<>(GPU_WORKERS.values());
        processes.add(orchestrator);
        for (AutoCloseable process : processes) {
            if (process != null) {
                process.close();
            }
        }
        GPU_WORKERS.clear();
        orchestrator = null;
        if (stubs != null) {
            stubs.shutdownNow();
            stubs.awaitTermination(10, TimeUnit.SECONDS);
            stubs = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
        if (bucket != null) {
            bucket.close();
            bucket = null;
        }
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
    }

    @Test
    void sweepOnTwoGpuWorkersSharingTheS3StoreLeavesVerifiableArtifacts() throws Exception {
        long started = System.nanoTime();
        SweepResult result = startSweep().getResult(SWEEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS, SweepResult.class);
        System.out.printf("S3 cluster test: sweep finished in %.1f s%n", (System.nanoTime() - started) / 1e9);
        assertEquals(input.recipe().conditions().size() * input.recipe().seeds().size(), result.total(), "runs of the sweep");
        assertEquals(0, result.failed(), "failed runs: " + result.failures() + "; worker logs in " + dir);
        assertEquals(result.total(), result.done(), "finished runs");

        Histories histories = histories();
        // both GPU workers executed stage activities: in Temporal's record (worker identity "pid@host") ...
        Map<String, List<String>> byWorker = new TreeMap<>();
        histories.activityWorkers.forEach((activity, identity) -> byWorker.computeIfAbsent(identity, i -> new ArrayList<>()).add(activity));
        for (var gpu : GPU_WORKERS.entrySet()) {
            List<String> ran = byWorker.getOrDefault(gpu.getValue().pid() + "@" + identityHost(byWorker.keySet()), List.of());
            assertFalse(ran.isEmpty(), gpu.getKey() + " (pid " + gpu.getValue().pid() + ") ran no stage activity; activities by worker: "
                    + byWorker + "; its log: " + gpu.getValue().log());
            // ... and in its own metrics
            assertTrue(completedStages(gpu.getValue().http("/prometheus")) > 0, gpu.getKey() + " reports no completed stage");
            System.out.println("S3 cluster test: " + gpu.getKey() + " ran " + ran);
        }

        // every artifact a stage (or the aggregation) returned is in the bucket, bytes and manifest agreeing with it
        Map<String, StoredObject> objects = bucketObjects();
        String base = "s3://" + BUCKET + "/" + PREFIX + "/";
        assertFalse(histories.artifacts.isEmpty(), "the stage results name no artifact");
        for (JsonNode ref : histories.artifacts) {
            String uri = ref.get("uri").asText();
            assertTrue(uri.startsWith(base), "artifact outside the shared store " + base + ": " + ref);
            StoredObject object = objects.get(uri.substring(("s3://" + BUCKET + "/").length()));
            assertTrue(object != null, "artifact " + uri + " is not in the bucket");
            assertEquals(ref.get("sha256").asText(), object.sha256, "sha256 of the bytes at " + uri);
            assertEquals(ref.get("size").asLong(), object.size, "size of " + uri);
        }

        // the bucket holds artifacts with their manifests and nothing else
        long bytes = 0;
        int artifacts = 0;
        for (var entry : objects.entrySet()) {
            String key = entry.getKey();
            assertTrue(key.startsWith(PREFIX + "/"), "object outside the store prefix: " + key);
            for (String segment : key.split("/")) {
                assertFalse(segment.isEmpty() || segment.startsWith(".") || segment.endsWith(".tmp") || segment.endsWith(".part"),
                        "temporary or hidden key left behind: " + key);
            }
            if (key.endsWith(MANIFEST)) {
                assertTrue(objects.containsKey(key.substring(0, key.length() - MANIFEST.length())), "manifest without its artifact: " + key);
                continue;
            }
            StoredObject manifestObject = objects.get(key + MANIFEST);
            assertTrue(manifestObject != null, "artifact without a manifest: " + key);
            JsonNode manifest = JSON.readTree(manifestObject.bytes);
            assertEquals(entry.getValue().sha256, manifest.path("sha256").asText(), "manifest sha256 of " + key);
            assertEquals(entry.getValue().size, manifest.path("size").asLong(-1), "manifest size of " + key);
            assertEquals(CODE_VERSION, manifest.path("codeVersion").asText(), "manifest codeVersion of " + key);
            assertFalse(manifest.path("stage").asText().isBlank(), "manifest of " + key + " names no stage: " + manifest);
            assertFalse(manifest.path("contentKey").asText().isBlank(), "manifest of " + key + " has no content key: " + manifest);
            artifacts++;
            bytes += entry.getValue().size;
        }
        assertTrue(bucket.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().isEmpty(), "multipart uploads left open");
        long largest = objects.values().stream().mapToLong(o -> o.size).max().orElse(0);
        System.out.printf("S3 cluster test: %d artifacts (%d named by results), %d bytes, largest %d bytes%n",
                artifacts, histories.artifacts.size(), bytes, largest);
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

    /** What the workflow histories say: which worker ran each activity, and every artifact reference in a result. */
    private record Histories(Map<String, String> activityWorkers, Set<JsonNode> artifacts) {
    }

    private static Histories histories() throws IOException {
        Map<String, String> workers = new TreeMap<>();
        Set<JsonNode> artifacts = new java.util.LinkedHashSet<>();
        var executions = stubs.blockingStub().listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                .setNamespace("default").setPageSize(1000).build()).getExecutionsList();
        assertTrue(executions.stream().anyMatch(e -> e.getType().getName().equals("StageWorkflow")), "no stage workflow: " + executions);
        for (var execution : executions) {
            String workflowId = execution.getExecution().getWorkflowId();
            Map<Long, String> scheduled = new HashMap<>();
            for (HistoryEvent event : client.fetchHistory(workflowId, execution.getExecution().getRunId()).getEvents()) {
                if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
                    var attributes = event.getActivityTaskScheduledEventAttributes();
                    scheduled.put(event.getEventId(), attributes.getActivityType().getName() + " on " + attributes.getTaskQueue().getName());
                } else if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
                    var attributes = event.getActivityTaskStartedEventAttributes();
                    String activity = scheduled.get(attributes.getScheduledEventId());
                    if (activity != null && activity.endsWith(" on " + TaskQueues.GPU)) {
                        workers.put(workflowId + ": " + activity + " #" + attributes.getAttempt(), attributes.getIdentity());
                    }
                } else if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
                    collectArtifacts(event.getActivityTaskCompletedEventAttributes().getResult().getPayloadsList(), artifacts);
                } else if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
                    collectArtifacts(event.getWorkflowExecutionCompletedEventAttributes().getResult().getPayloadsList(), artifacts);
                }
            }
        }
        return new Histories(workers, artifacts);
    }

    /** Every {@code {uri, sha256, size}} object (an ArtifactRef) anywhere in JSON payloads. */
    private static void collectArtifacts(List<Payload> payloads, Set<JsonNode> into) throws IOException {
        List<JsonNode> todo = new ArrayList<>();
        for (Payload payload : payloads) {
            todo.add(JSON.readTree(payload.getData().toByteArray()));
        }
        while (!todo.isEmpty()) {
            JsonNode node = todo.remove(todo.size() - 1);
            if (node.isObject() && node.has("uri") && node.has("sha256") && node.has("size")) {
                into.add(node);
            }
            node.forEach(todo::add);
        }
    }

    /** The host part of the worker identities ("pid@host"): every worker runs on this machine. */
    private static String identityHost(Set<String> identities) {
        Set<String> hosts = new TreeSet<>();
        identities.forEach(identity -> hosts.add(identity.substring(identity.indexOf('@') + 1)));
        assertEquals(1, hosts.size(), "worker identities of one machine: " + identities);
        return hosts.iterator().next();
    }

    /** Sum of the completed-stage counters a worker's /prometheus reports. */
    private static double completedStages(String prometheus) {
        return Pattern.compile("(?m)^subliminal_stage_duration_seconds_count\\{[^}]*outcome=\"completed\"[^}]*} (\\S+)$")
                .matcher(prometheus).results().mapToDouble(m -> Double.parseDouble(m.group(1))).sum();
    }

    /** An object read back from the bucket, hashed here. */
    private record StoredObject(byte[] bytes, String sha256, long size) {
    }

    private static Map<String, StoredObject> bucketObjects() throws NoSuchAlgorithmException {
        Map<String, StoredObject> objects = new TreeMap<>();
        for (S3Object object : bucket.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents()) {
            byte[] bytes = bucket.getObjectAsBytes(b -> b.bucket(BUCKET).key(object.key())).asByteArray();
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            objects.put(object.key(), new StoredObject(bytes, sha256, bytes.length));
        }
        return objects;
    }
}
