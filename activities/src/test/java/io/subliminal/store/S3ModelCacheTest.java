package io.subliminal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Base models from S3 into a bounded local cache, against a real S3-compatible server (S3Proxy). */
class S3ModelCacheTest {

    private static final String BUCKET = "subliminal-models";

    @TempDir
    static Path work;

    private static S3TestServer server;
    private static S3Client client;

    @BeforeAll
    static void startServer() throws IOException {
        server = S3TestServer.start(work.resolve("server"));
        client = server.client(server.settings());
        client.createBucket(b -> b.bucket(BUCKET));
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

    /** A clock that moves one minute per reading, so last-used times are strictly ordered. */
    private static Clock ticking() {
        AtomicLong minutes = new AtomicLong();
        Instant t0 = Instant.parse("2026-11-24T00:00:00Z");
        return new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return t0.plus(Duration.ofMinutes(minutes.incrementAndGet()));
            }
        };
    }

    /** Uploads a tiny HF-layout checkpoint through the artifact store (so its objects carry sha256 metadata). */
    private static Map<String, byte[]> uploadCheckpoint(String prefix, int weightBytes, long seed) throws IOException {
        byte[] weights = new byte[weightBytes];
        new Random(seed).nextBytes(weights);
        Map<String, byte[]> files = Map.of(
            "config.json", ("{\"model_type\":\"llama\",\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8),
            "tokenizer.json", "{\"model\":{\"vocab\":{}}}".getBytes(StandardCharsets.UTF_8),
            "model.safetensors", weights);
        try (S3ArtifactStore store = new S3ArtifactStore(client, false, S3Location.parse("s3://" + BUCKET + "/"
            + prefix), S3Settings.MIN_PART, work.resolve("spool"), "test", Clock.systemUTC())) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                store.put(new ArtifactKey(f.getKey()), f.getValue(), new Provenance("base-model", prefix));
            }
        }
        return files;
    }

    private static void assertSameFiles(Map<String, byte[]> expected, Path dir) throws IOException {
        for (Map.Entry<String, byte[]> f : expected.entrySet()) {
            assertArrayEquals(f.getValue(), Files.readAllBytes(dir.resolve(f.getKey())), f.getKey());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(expected.size(), files.filter(p -> !p.getFileName().toString().startsWith(".")).count(),
                "no manifests or extra files in the checkpoint directory");
        }
    }

    @Test
    void downloadsOnceAndServesTheCachedDirectoryWithoutS3Requests() throws IOException {
        Map<String, byte[]> files = uploadCheckpoint("models/tiny-a/", 200_000, 1);
        CountingS3Client counting = new CountingS3Client(client);
        S3ModelCache cache = new S3ModelCache(counting, work.resolve("cache1"), 10_000_000, ticking());
        List<long[]> reports = new ArrayList<>();
        Path dir = cache.resolve("s3://" + BUCKET + "/models/tiny-a", (bytes, total) -> reports.add(new long[] {bytes, total}));
        assertSameFiles(files, dir);
        assertTrue(dir.getFileName().toString().startsWith("tiny-a-"));
        assertEquals(1, counting.count("LIST"));
        assertEquals(files.size(), counting.count("GET"), "one GetObject per file: " + counting.requests);
        long total = files.values().stream().mapToLong(b -> b.length).sum();
        assertArrayEquals(new long[] {total, total}, reports.get(reports.size() - 1), "progress ends at the total");
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i)[0] >= reports.get(i - 1)[0], "progress never goes back");
        }

        Files.write(dir.resolve("config.json"), "local marker".getBytes(StandardCharsets.UTF_8));
        counting.requests.clear();
        Path again = new S3ModelCache(counting, work.resolve("cache1"), 10_000_000, ticking())
            .resolve("s3://" + BUCKET + "/models/tiny-a/");
        assertEquals(dir, again);
        assertEquals("local marker", Files.readString(again.resolve("config.json")), "a hit downloads nothing");
        assertEquals(List.of(), counting.requests, "a hit (also by another process on the host) sends no S3 request");

        // the prefix is read once: a checkpoint under a prefix is immutable, new weights go under a new prefix
        uploadCheckpoint("models/tiny-a/", 200_000, 2);
        assertEquals(dir, cache.resolve("s3://" + BUCKET + "/models/tiny-a/"));
        assertEquals(List.of(), counting.requests);
    }

    @Test
    void aDownloadBrokenOffResumesWithTheFilesItFinished() throws IOException {
        Map<String, byte[]> files = uploadCheckpoint("models/resume/", 300_000, 11);
        CountingS3Client counting = new CountingS3Client(client);
        Path root = work.resolve("cache-resume");
        S3ModelCache cache = new S3ModelCache(counting, root, 10_000_000, ticking());
        counting.failGets(key -> key.endsWith("tokenizer.json"));
        IOException e = assertThrows(IOException.class, () -> cache.resolve("s3://" + BUCKET + "/models/resume/"));
        assertTrue(e.getMessage().contains("models/resume/tokenizer.json") && e.getMessage().contains("3 times"),
            e.getMessage());
        assertEquals(3, counting.failedGets.get(), "one object is read up to 3 times");
        try (Stream<Path> left = Files.list(root)) {
            assertTrue(left.noneMatch(p -> !p.getFileName().toString().startsWith(".")), "nothing published");
        }

        counting.failGets(key -> false);
        counting.requests.clear();
        Path dir = cache.resolve("s3://" + BUCKET + "/models/resume/");
        assertSameFiles(files, dir);
        assertEquals(List.of("LIST models/resume/", "GET models/resume/tokenizer.json"), counting.requests,
            "files before the failure (config.json, model.safetensors) are not read again");
    }

    @Test
    void aPrefixWithoutConfigJsonIsNotACheckpoint() throws IOException {
        try (S3ArtifactStore store = new S3ArtifactStore(client, false, S3Location.parse("s3://" + BUCKET
            + "/models/no-config/"), S3Settings.MIN_PART, work.resolve("spool"), "test", Clock.systemUTC())) {
            store.put(new ArtifactKey("model.safetensors"), new byte[] {1, 2, 3}, new Provenance("base-model", "x"));
        }
        CountingS3Client counting = new CountingS3Client(client);
        S3ModelCache cache = new S3ModelCache(counting, work.resolve("cache-noconfig"), 10_000_000, ticking());
        ArtifactNotFoundException e = assertThrows(ArtifactNotFoundException.class,
            () -> cache.resolve("s3://" + BUCKET + "/models/no-config/"));
        assertTrue(e.getMessage().contains("no config.json under s3://" + BUCKET + "/models/no-config/"), e.getMessage());
        assertEquals(0, counting.count("GET"), "nothing is downloaded");
    }

    @Test
    void concurrentResolvesOnOneHostDownloadOnce() throws Exception {
        Map<String, byte[]> files = uploadCheckpoint("models/shared/", 2_000_000, 12);
        CountingS3Client counting = new CountingS3Client(client);
        Path root = work.resolve("cache-shared");
        AtomicInteger waits = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Path>> resolved = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // one cache object per "worker process", all on the same directory
                S3ModelCache cache = new S3ModelCache(counting, root, 10_000_000, Clock.systemUTC());
                resolved.add(pool.submit(() -> cache.resolve("s3://" + BUCKET + "/models/shared/", new S3ModelCache.Progress() {
                    @Override
                    public void downloaded(long bytes, long totalBytes) {
                    }

                    @Override
                    public void waitingForOtherDownload() {
                        waits.incrementAndGet();
                    }
                })));
            }
            Path first = resolved.get(0).get(2, TimeUnit.MINUTES);
            for (Future<Path> f : resolved) {
                assertEquals(first, f.get(2, TimeUnit.MINUTES));
            }
            assertSameFiles(files, first);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(files.size(), counting.count("GET"), "one download for all: " + counting.requests);
        System.out.println("concurrent resolves: " + waits.get() + " waits for the other download, requests "
            + counting.requests);
    }

    /** A progress listener that throws, as a cancelled activity's does, stops the download; the next one resumes. */
    @Test
    void aProgressListenerAbortsTheDownloadAndTheNextResolveResumes() throws IOException {
        Map<String, byte[]> files = uploadCheckpoint("models/abort/", 300_000, 13);
        CountingS3Client counting = new CountingS3Client(client);
        Path root = work.resolve("cache-abort");
        S3ModelCache cache = new S3ModelCache(counting, root, 10_000_000, ticking());
        IllegalStateException cancelled = assertThrows(IllegalStateException.class,
            () -> cache.resolve("s3://" + BUCKET + "/models/abort/", (bytes, total) -> {
                if (bytes > 0) {
                    throw new IllegalStateException("activity cancelled");
                }
            }));
        assertEquals("activity cancelled", cancelled.getMessage());
        try (Stream<Path> left = Files.list(root)) {
            assertTrue(left.noneMatch(p -> !p.getFileName().toString().startsWith(".")), "nothing published");
        }
        counting.requests.clear();
        Path dir = cache.resolve("s3://" + BUCKET + "/models/abort/");
        assertSameFiles(files, dir);
        assertEquals(List.of("LIST models/abort/", "GET models/abort/model.safetensors", "GET models/abort/tokenizer.json"),
            counting.requests, "config.json, finished before the abort, is kept");
    }

    /**
     * Another worker process of the host resolving a checkpoint this one is downloading waits for it (OS file lock)
     * and then uses the published entry, downloading nothing.
     */
    @Test
    void aSecondProcessWaitsForTheDownloadInsteadOfDoingItAgain() throws Exception {
        Map<String, byte[]> files = uploadCheckpoint("models/two-processes/", 500_000, 14);
        Path root = work.resolve("cache-processes");
        String uri = "s3://" + BUCKET + "/models/two-processes/";
        String java = ProcessHandle.current().info().command().orElse("java");
        Process other = null;
        try {
            S3ModelCache cache = new S3ModelCache(client, root, 10_000_000, Clock.systemUTC());
            Process[] started = new Process[1];
            java.util.concurrent.CompletableFuture<List<String>> otherOutput = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.CountDownLatch otherWaits = new java.util.concurrent.CountDownLatch(1);
            Path dir = cache.resolve(uri, (bytes, total) -> {
                if (started[0] != null) {
                    return;
                }
                try {
                    // mid-download (this process holds the checkpoint's lock): start the other worker process
                    started[0] = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                        OtherProcess.class.getName(), server.endpoint().toString(), root.toString(), uri)
                        .redirectErrorStream(true).start();
                    Process p = started[0];
                    Thread reader = new Thread(() -> {
                        List<String> lines = new ArrayList<>();
                        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                            StandardCharsets.UTF_8))) {
                            for (String line; (line = in.readLine()) != null; ) {
                                lines.add(line);
                                if (line.equals("waiting")) {
                                    otherWaits.countDown();
                                }
                            }
                        } catch (IOException e) {
                            lines.add("read failed: " + e);
                        }
                        otherOutput.complete(lines);
                    });
                    reader.setDaemon(true);
                    reader.start();
                    assertTrue(otherWaits.await(2, TimeUnit.MINUTES), "the other process waits for this download");
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            other = started[0];
            assertTrue(other.waitFor(2, TimeUnit.MINUTES), "the other process ends");
            List<String> lines = otherOutput.get(1, TimeUnit.MINUTES);
            assertEquals(0, other.exitValue(), String.join("\n", lines));
            assertTrue(lines.contains("resolved " + dir), lines.toString());
            assertFalse(lines.contains("downloaded"), "the other process downloads nothing: " + lines);
            assertSameFiles(files, dir);
        } finally {
            if (other != null) {
                other.destroyForcibly();
            }
        }
    }

    /** The other worker process of {@link #aSecondProcessWaitsForTheDownloadInsteadOfDoingItAgain}. */
    public static final class OtherProcess {
        public static void main(String[] args) throws IOException {
            try (S3Client s3 = S3Clients.create(S3Settings.forEndpoint(java.net.URI.create(args[0])).withRegion("us-east-1"),
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(S3TestServer.ACCESS_KEY,
                        S3TestServer.SECRET_KEY)))) {
                boolean[] reported = new boolean[2];
                Path dir = new S3ModelCache(s3, Path.of(args[1]), 10_000_000, Clock.systemUTC()).resolve(args[2],
                    new S3ModelCache.Progress() {
                        @Override
                        public void downloaded(long bytes, long totalBytes) {
                            if (!reported[0]) {
                                reported[0] = true;
                                System.out.println("downloaded");
                            }
                        }

                        @Override
                        public void waitingForOtherDownload() {
                            if (!reported[1]) {
                                reported[1] = true;
                                System.out.println("waiting");
                            }
                        }
                    });
                System.out.println("resolved " + dir);
            }
        }
    }

    @Test
    void evictsLeastRecentlyUsedBeyondTheSizeBound() throws IOException {
        uploadCheckpoint("models/lru-a/", 400_000, 3);
        uploadCheckpoint("models/lru-b/", 400_000, 4);
        uploadCheckpoint("models/lru-c/", 400_000, 5);
        S3ModelCache cache = new S3ModelCache(client, work.resolve("cache2"), 900_000, ticking());
        Path a = cache.resolve("s3://" + BUCKET + "/models/lru-a/");
        Path b = cache.resolve("s3://" + BUCKET + "/models/lru-b/");
        assertTrue(Files.isDirectory(a) && Files.isDirectory(b));
        assertEquals(a, cache.resolve("s3://" + BUCKET + "/models/lru-a/")); // a is now more recent than b
        Path c = cache.resolve("s3://" + BUCKET + "/models/lru-c/");
        assertTrue(Files.isDirectory(a), "recently used entry kept");
        assertFalse(Files.exists(b), "least recently used entry evicted");
        assertTrue(Files.isDirectory(c));
        assertTrue(cache.sizeBytes() <= 900_000, "cache within its bound: " + cache.sizeBytes());

        S3ModelCache tiny = new S3ModelCache(client, work.resolve("cache3"), 1000, ticking());
        Path only = tiny.resolve("s3://" + BUCKET + "/models/lru-a/");
        assertTrue(Files.isDirectory(only), "an entry larger than the bound is still served");
        tiny.resolve("s3://" + BUCKET + "/models/lru-b/");
        assertFalse(Files.exists(only));
    }

    @Test
    void corruptObjectIsRejectedAndNothingIsPublished() throws IOException {
        uploadCheckpoint("models/bad/", 100_000, 6);
        Map<String, String> meta = client.headObject(b -> b.bucket(BUCKET).key("models/bad/model.safetensors"))
            .metadata();
        byte[] other = new byte[100_000];
        new Random(99).nextBytes(other);
        client.putObject(b -> b.bucket(BUCKET).key("models/bad/model.safetensors").metadata(meta),
            RequestBody.fromBytes(other));
        Path root = work.resolve("cache4");
        S3ModelCache cache = new S3ModelCache(client, root, 10_000_000, ticking());
        ArtifactIntegrityException e = assertThrows(ArtifactIntegrityException.class,
            () -> cache.resolve("s3://" + BUCKET + "/models/bad/"));
        assertTrue(e.getMessage().contains("models/bad/model.safetensors"), e.getMessage());
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(0, left.filter(p -> !p.getFileName().toString().endsWith(".lock")).count(),
                "no entry or staging directory left");
        }
    }

    @Test
    void environmentConfiguresDirectoryAndBound() throws IOException {
        S3ModelCache cache = S3ModelCache.fromEnvironment(client, Map.of(
            "SUBLIMINAL_MODEL_CACHE", work.resolve("cache6").toString(), "SUBLIMINAL_MODEL_CACHE_MAX_GB", "0.001"));
        assertEquals(work.resolve("cache6").toAbsolutePath(), cache.directory());
        uploadCheckpoint("models/env-a/", 800_000, 7);
        uploadCheckpoint("models/env-b/", 800_000, 8);
        Path a = cache.resolve("s3://" + BUCKET + "/models/env-a/");
        cache.resolve("s3://" + BUCKET + "/models/env-b/");
        assertFalse(Files.exists(a), "0.001 GiB holds one 0.8 MB checkpoint at a time");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> S3ModelCache.fromEnvironment(client, Map.of("SUBLIMINAL_MODEL_CACHE_MAX_GB", "lots")));
        assertTrue(bad.getMessage().contains("SUBLIMINAL_MODEL_CACHE_MAX_GB"), bad.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> S3ModelCache.fromEnvironment(client, Map.of("SUBLIMINAL_MODEL_CACHE_MAX_GB", "0")));
    }

    @Test
    void rejectsEmptyPrefixesAndBucketRoots() throws IOException {
        S3ModelCache cache = new S3ModelCache(client, work.resolve("cache5"), 1000, ticking());
        assertThrows(ArtifactNotFoundException.class, () -> cache.resolve("s3://" + BUCKET + "/models/none/"));
        assertThrows(IllegalArgumentException.class, () -> cache.resolve("s3://" + BUCKET));
        assertThrows(IllegalArgumentException.class, () -> cache.resolve("https://example.invalid/x"));
    }
}
