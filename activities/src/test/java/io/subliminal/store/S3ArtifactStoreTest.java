package io.subliminal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.workflows.payload.ArtifactRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** The S3 store against a real S3-compatible server process (S3Proxy) that this test starts and restarts. */
class S3ArtifactStoreTest {

    private static final String BUCKET = "subliminal-test";
    private static final int PART = S3Settings.MIN_PART;
    private static final Provenance TRAIN = new Provenance("train-student", "ck-student-owl-1");
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    static Path work;

    private static S3TestServer server;
    private static S3Client client;
    private static S3Client admin;

    @BeforeAll
    static void startServer() throws IOException {
        server = S3TestServer.start(work.resolve("server"));
        client = server.client(server.settings().withPartSize(PART));
        admin = server.client(server.settings().withRetries(1, java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(1)));
        client.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stopServer() {
        if (client != null) {
            client.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static S3ArtifactStore store(String prefix) {
        return new S3ArtifactStore(client, false, S3Location.parse("s3://" + BUCKET + "/" + prefix), PART, 3,
            work.resolve("spool"), "test-1.0", Clock.fixed(T0, ZoneOffset.UTC));
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Path file(String name, int n, long seed) throws IOException {
        Path p = work.resolve("files").resolve(name);
        Files.createDirectories(p.getParent());
        return Files.write(p, bytes(n, seed));
    }

    @Test
    void smallPutWritesObjectWithManifestMetadataAndManifestObject() throws IOException {
        S3ArtifactStore store = store("small/");
        ArtifactKey key = ArtifactKey.of("runs", "eval", "scores.json");
        byte[] content = bytes(4096, 1);
        ArtifactRef ref = store.put(key, content, TRAIN);

        assertEquals("s3://" + BUCKET + "/small/runs/eval/scores.json", ref.uri());
        assertEquals(Sha256.hex(content), ref.sha256());
        assertEquals(4096, ref.size());
        Manifest expected = new Manifest(ref.sha256(), 4096, "train-student", "ck-student-owl-1", "test-1.0", T0);
        HeadObjectResponse head = admin.headObject(b -> b.bucket(BUCKET).key("small/runs/eval/scores.json"));
        assertEquals(expected, Manifest.fromMetadata(head.metadata(), "head"));
        byte[] json = admin.getObjectAsBytes(b -> b.bucket(BUCKET).key("small/runs/eval/scores.json.manifest.json"))
            .asByteArray();
        assertEquals(expected, Manifest.fromJson(json, "manifest object"));

        assertEquals(expected, store.find(key).orElseThrow().manifest());
        assertEquals(key, store.keyOf(ref));
        assertArrayEquals(content, Files.readAllBytes(store.get(ref, work.resolve("out/scores.json"))));
        assertTrue(store.find(new ArtifactKey("runs/eval/missing.json")).isEmpty());
        ArtifactRef empty = store.put(new ArtifactKey("runs/eval/empty.json"), new byte[0], TRAIN);
        assertEquals(0, empty.size());
        assertEquals(0, Files.size(store.get(empty, work.resolve("out/empty.json"))));
        assertThrows(ArtifactNotFoundException.class,
            () -> store.open(new ArtifactRef(store.uri(new ArtifactKey("nope")), ref.sha256(), 1)));
    }

    @Test
    void largeFileGoesUpInPartsAndAppearsOnlyOnComplete() throws Exception {
        S3ArtifactStore store = store("multipart/");
        int size = 3 * PART + 12_345; // four parts, the last one short
        Path source = file("checkpoint.bin", size, 2);
        ArtifactKey key = new ArtifactKey("ckpt/model.safetensors");
        String objectKey = "multipart/ckpt/model.safetensors";

        AtomicBoolean sawPartsWithoutObject = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger mostParts = new java.util.concurrent.atomic.AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            while (!done.get()) {
                int parts = partsOnServer(objectKey);
                mostParts.accumulateAndGet(parts, Math::max);
                if (parts > 0 && !done.get()) {
                    try {
                        admin.headObject(b -> b.bucket(BUCKET).key(objectKey));
                    } catch (NoSuchKeyException absent) {
                        sawPartsWithoutObject.set(true);
                    } catch (RuntimeException ignored) {
                        // the watcher only observes
                    }
                }
            }
        });
        watcher.start();
        ArtifactRef ref;
        try {
            ref = store.put(key, source, TRAIN);
        } finally {
            done.set(true);
            watcher.join();
        }
        assertEquals(Sha256.of(source).sha256(), ref.sha256());
        assertTrue(mostParts.get() >= 1 && mostParts.get() <= 4, "parts seen on the server: " + mostParts.get());
        assertTrue(sawPartsWithoutObject.get(), "while parts were on the server the key did not exist");
        assertTrue(admin.listMultipartUploads(b -> b.bucket(BUCKET).prefix("multipart/")).uploads().isEmpty());
        assertArrayEquals(Files.readAllBytes(source),
            Files.readAllBytes(store.get(ref, work.resolve("out/model.safetensors"))));
        store.verify(key);
    }

    @Test
    void streamLargerThanOnePartIsSpooledThenUploadedInParts() throws IOException {
        S3ArtifactStore store = store("stream/");
        byte[] content = bytes(2 * PART + 7, 3);
        ArtifactRef ref = store.put(new ArtifactKey("ds/numbers.jsonl"), new java.io.ByteArrayInputStream(content),
            TRAIN);
        assertEquals(Sha256.hex(content), ref.sha256());
        try (InputStream in = store.open(ref)) {
            assertArrayEquals(content, in.readAllBytes());
        }
        try (java.util.stream.Stream<Path> spool = Files.list(work.resolve("spool"))) {
            assertEquals(0, spool.count(), "spool file removed");
        }
    }

    @Test
    void uploadsAndDownloadsStreamWithinASmallHeap() throws Exception {
        // A separate JVM with a 48 MiB heap stores and reads back a 96 MiB artifact: it cannot hold it in memory.
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx48m", "-cp", System.getProperty("java.class.path"),
            StreamingProbe.class.getName(), server.endpoint().toString(), BUCKET, "96",
            work.resolve("probe").toString())
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "probe finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("stream-put-get ok") && out.contains("file-put-get ok"), out);
    }

    @Test
    void corruptedObjectFailsVerificationAndNamesTheStage() throws IOException {
        S3ArtifactStore store = store("corrupt/");
        ArtifactKey key = new ArtifactKey("ds/filtered.jsonl");
        byte[] content = bytes(50_000, 4);
        ArtifactRef ref = store.put(key, content, TRAIN);
        // bit rot on the server: same length, same metadata, one flipped bit
        Map<String, String> meta = admin.headObject(b -> b.bucket(BUCKET).key("corrupt/ds/filtered.jsonl"))
            .metadata();
        content[777] ^= 0x10;
        admin.putObject(b -> b.bucket(BUCKET).key("corrupt/ds/filtered.jsonl").metadata(meta),
            RequestBody.fromBytes(content));

        Path target = work.resolve("out/filtered.jsonl");
        ArtifactIntegrityException e = assertThrows(ArtifactIntegrityException.class, () -> store.get(ref, target));
        assertTrue(e.getMessage().contains(ref.uri()) && e.getMessage().contains("train-student")
            && e.getMessage().contains(ref.sha256()), e.getMessage());
        assertEquals("train-student", e.stage());
        assertEquals(Sha256.hex(content), e.actualSha256());
        assertFalse(Files.exists(target));
        assertThrows(ArtifactIntegrityException.class, () -> store.verify(key));

        // the producing stage re-runs and overwrites it
        byte[] again = bytes(50_000, 4);
        ArtifactRef rerun = store.put(key, again, TRAIN);
        assertEquals(ref.sha256(), rerun.sha256());
        store.verify(key);
    }

    @Test
    void objectWithoutManifestIsNotAnArtifact() throws IOException {
        S3ArtifactStore store = store("partial/");
        store.put(new ArtifactKey("a/1.bin"), bytes(10, 5), TRAIN);
        store.put(new ArtifactKey("a/2.bin"), bytes(10, 6), TRAIN);
        store.put(new ArtifactKey("b/1.bin"), bytes(10, 7), TRAIN);
        admin.deleteObject(b -> b.bucket(BUCKET).key("partial/a/2.bin.manifest.json"));
        admin.putObject(b -> b.bucket(BUCKET).key("partial/a/foreign.bin"), RequestBody.fromBytes(bytes(3, 8)));
        assertFalse(store.exists(new ArtifactKey("a/2.bin")));
        assertFalse(store.exists(new ArtifactKey("a/foreign.bin")));
        assertEquals(List.of("a/1.bin"), store.list("a/").stream().map(ArtifactKey::value).toList());
        assertEquals(List.of("a/1.bin", "b/1.bin"), store.list("").stream().map(ArtifactKey::value).toList());
        store.delete(new ArtifactKey("a/1.bin"));
        assertEquals(List.of("b/1.bin"), store.list("").stream().map(ArtifactKey::value).toList());
        assertThrows(IllegalArgumentException.class, () -> store.list("../"));
        assertThrows(IllegalArgumentException.class,
            () -> store.keyOf(new ArtifactRef("s3://other-bucket/partial/a", "0".repeat(64), 1)));
    }

    @Test
    void concurrentWritersOfOneKeyLeaveOneValidArtifact() throws Exception {
        S3ArtifactStore store = store("race/");
        ArtifactKey key = new ArtifactKey("adapter/adapter_model.safetensors");
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // two multipart-sized and two single-PUT writers
            sources.add(file("race-" + i, i < 2 ? PART + 1000 * i : 100_000 + i, 10 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(sources.size());
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<ArtifactRef>> results = new ArrayList<>();
                for (Path s : sources) {
                    results.add(pool.submit((Callable<ArtifactRef>) () -> store.put(key, s, TRAIN)));
                }
                for (Future<ArtifactRef> f : results) {
                    f.get(120, TimeUnit.SECONDS);
                }
                StoredArtifact found = store.verify(key);
                byte[] now = Files.readAllBytes(store.get(found.ref(), work.resolve("out/race.bin")));
                boolean isOneWriters = false;
                for (Path s : sources) {
                    isOneWriters |= java.util.Arrays.equals(Files.readAllBytes(s), now);
                }
                assertTrue(isOneWriters, "the artifact is one writer's whole content");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void operationsRetryAcrossAServerRestart() throws Exception {
        S3ArtifactStore store = store("restart/");
        ArtifactRef before = store.put(new ArtifactKey("before.bin"), bytes(1000, 20), TRAIN);

        // 1. the server goes down between operations; the next put waits it out
        server.stop();
        Thread restarter = restartAfter(1500);
        ArtifactRef during = store.put(new ArtifactKey("during.bin"), bytes(2000, 21), TRAIN);
        restarter.join();
        assertEquals(Sha256.hex(bytes(2000, 21)), during.sha256());
        store.verify(new ArtifactKey("before.bin"));
        assertEquals(before, store.find(new ArtifactKey("before.bin")).orElseThrow().ref());

        // 2. the server goes down in the middle of a multipart upload; the upload resumes after the restart
        Path big = file("restart-big.bin", 6 * PART, 22);
        AtomicBoolean putReturned = new AtomicBoolean();
        AtomicBoolean stoppedMidUpload = new AtomicBoolean();
        AtomicReference<Throwable> watcherError = new AtomicReference<>();
        Thread killer = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!putReturned.get() && System.nanoTime() < deadline) {
                    if (partsOnServer("restart/big.bin") > 0) {
                        server.stop();
                        stoppedMidUpload.set(!putReturned.get());
                        Thread.sleep(1500);
                        server.start();
                        return;
                    }
                    Thread.sleep(5);
                }
            } catch (Throwable t) {
                watcherError.set(t);
            }
        });
        killer.start();
        ArtifactRef bigRef = store.put(new ArtifactKey("big.bin"), big, TRAIN);
        putReturned.set(true);
        killer.join();
        if (watcherError.get() != null) {
            throw new AssertionError("restart watcher failed", watcherError.get());
        }
        assertTrue(stoppedMidUpload.get(), "the server was stopped while the multipart upload was in flight");
        assertEquals(Sha256.of(big).sha256(), bigRef.sha256());
        store.verify(new ArtifactKey("big.bin"));
    }

    @Test
    void exhaustedRetriesSurfaceAsIoErrorNamingTheOperation() throws Exception {
        S3Settings quick = server.settings().withRetries(2, java.time.Duration.ofMillis(10),
            java.time.Duration.ofMillis(20));
        try (S3Client c = server.client(quick)) {
            S3ArtifactStore store = new S3ArtifactStore(c, false, S3Location.parse("s3://" + BUCKET + "/down/"), PART,
                work.resolve("spool"), "test-1.0", Clock.systemUTC());
            server.stop();
            try {
                IOException e = assertThrows(IOException.class,
                    () -> store.put(new ArtifactKey("x.bin"), bytes(10, 30), TRAIN));
                assertTrue(e.getMessage().contains("PutObject") && e.getMessage().contains("s3://" + BUCKET
                    + "/down/x.bin"), e.getMessage());
            } finally {
                server.start();
            }
        }
    }

    /** Parts of the in-progress multipart upload of {@code objectKey} the server reports (0 when none, or busy). */
    private static int partsOnServer(String objectKey) {
        try {
            List<MultipartUpload> ups = admin.listMultipartUploads(b -> b.bucket(BUCKET).prefix(objectKey)).uploads();
            if (ups.isEmpty()) {
                return 0;
            }
            return admin.listParts(b -> b.bucket(BUCKET).key(objectKey).uploadId(ups.get(0).uploadId())).parts()
                .size();
        } catch (RuntimeException observationFailed) {
            return 0; // the server may refuse a listing racing with a part write; the next poll asks again
        }
    }

    private static Thread restartAfter(long millis) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(millis);
                server.start();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        return t;
    }
}
