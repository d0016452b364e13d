package io.subliminal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.workflows.payload.ArtifactRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest {

    private static final Provenance TEACHER = new Provenance("teacher-sample", "ck-owl-seed1");
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;

    private LocalArtifactStore store() throws IOException {
        return new LocalArtifactStore(dir.resolve("store"), "test-1.0", Clock.fixed(T0, ZoneOffset.UTC));
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void putWritesArtifactAndManifestAtomicallyAndFindsIt() throws IOException {
        LocalArtifactStore store = store();
        ArtifactKey key = ArtifactKey.of("runs", "fig2", "numbers.jsonl");
        byte[] content = bytes(300_000, 1);
        ArtifactRef ref = store.put(key, content, TEACHER);

        assertEquals(Sha256.hex(content), ref.sha256());
        assertEquals(content.length, ref.size());
        assertEquals(store.path(key).toUri().toString(), ref.uri());
        assertTrue(ref.uri().startsWith("file:/"));
        assertArrayEquals(content, Files.readAllBytes(store.path(key)));

        Manifest m = Manifest.fromJson(Files.readAllBytes(dir.resolve("store/runs/fig2/numbers.jsonl.manifest.json")),
            "manifest");
        assertEquals(new Manifest(ref.sha256(), content.length, "teacher-sample", "ck-owl-seed1", "test-1.0", T0), m);

        StoredArtifact found = store.find(key).orElseThrow();
        assertEquals(ref, found.ref());
        assertTrue(found.producedFrom("ck-owl-seed1"));
        assertEquals(key, store.keyOf(ref));
        try (Stream<Path> files = Files.list(dir.resolve("store/runs/fig2"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
    }

    @Test
    void getCopiesAndVerifies() throws IOException {
        LocalArtifactStore store = store();
        byte[] content = bytes(70_000, 2);
        ArtifactRef ref = store.put(new ArtifactKey("a/b.bin"), content, TEACHER);
        Path out = store.get(ref, dir.resolve("out/b.bin"));
        assertArrayEquals(content, Files.readAllBytes(out));
        Path byKey = store.get(new ArtifactKey("a/b.bin"), dir.resolve("out/c.bin"));
        assertArrayEquals(content, Files.readAllBytes(byKey));
    }

    @Test
    void corruptedArtifactFailsVerificationNamingTheStage() throws IOException {
        LocalArtifactStore store = store();
        ArtifactKey key = new ArtifactKey("ds/filtered.jsonl");
        byte[] content = bytes(10_000, 3);
        ArtifactRef ref = store.put(key, content, TEACHER);
        content[1234] ^= 1; // one flipped bit on disk, same length
        Files.write(store.path(key), content);

        Path target = dir.resolve("copy.jsonl");
        ArtifactIntegrityException e = assertThrows(ArtifactIntegrityException.class, () -> store.get(ref, target));
        assertTrue(e.getMessage().contains(ref.uri()) && e.getMessage().contains("teacher-sample"), e.getMessage());
        assertEquals(ref.sha256(), e.expectedSha256());
        assertEquals(Sha256.hex(content), e.actualSha256());
        assertFalse(Files.exists(target), "a failed get leaves no file");
        assertThrows(ArtifactIntegrityException.class, () -> store.verify(key));

        Files.write(store.path(key), java.util.Arrays.copyOf(content, 5)); // truncated
        assertTrue(store.find(key).isEmpty(), "a size mismatch with the manifest is not a stored artifact");
        assertThrows(ArtifactIntegrityException.class, () -> {
            try (InputStream in = store.open(ref)) {
                in.readAllBytes();
            }
        });
    }

    @Test
    void missingManifestMeansAbsent() throws IOException {
        LocalArtifactStore store = store();
        ArtifactKey key = new ArtifactKey("x/y.bin");
        store.put(key, bytes(10, 4), TEACHER);
        Files.delete(dir.resolve("store/x/y.bin.manifest.json"));
        assertFalse(store.exists(key));
        assertEquals(List.of(), store.list("x/"));
        assertThrows(ArtifactNotFoundException.class, () -> store.get(key, dir.resolve("o")));
    }

    @Test
    void listsByPrefixAndDeletes() throws IOException {
        LocalArtifactStore store = store();
        for (String k : List.of("runs/a/1.bin", "runs/a/2.bin", "runs/b/1.bin", "other/1.bin")) {
            store.put(new ArtifactKey(k), k.getBytes(StandardCharsets.UTF_8), TEACHER);
        }
        assertEquals(List.of("runs/a/1.bin", "runs/a/2.bin", "runs/b/1.bin"),
            store.list("runs/").stream().map(ArtifactKey::value).toList());
        assertEquals(List.of("runs/a/1.bin", "runs/a/2.bin"),
            store.list("runs/a").stream().map(ArtifactKey::value).toList());
        assertEquals(4, store.list("").size());
        store.delete(new ArtifactKey("runs/a/1.bin"));
        assertFalse(store.exists(new ArtifactKey("runs/a/1.bin")));
        assertEquals(3, store.list("").size());
    }

    @Test
    void refsOutsideTheStoreAreRejected() throws IOException {
        LocalArtifactStore store = store();
        ArtifactRef foreign = new ArtifactRef(dir.resolve("elsewhere/file").toUri().toString(), "0".repeat(64), 1);
        assertThrows(IllegalArgumentException.class, () -> store.keyOf(foreign));
        ArtifactRef s3 = new ArtifactRef("s3://bucket/key", "0".repeat(64), 1);
        assertThrows(IllegalArgumentException.class, () -> store.open(s3));
    }

    @Test
    void concurrentWritersOfOneKeyLeaveOneValidArtifact() throws Exception {
        LocalArtifactStore store = store();
        ArtifactKey key = new ArtifactKey("race/adapter.safetensors");
        int writers = 6;
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            contents.add(bytes(200_000 + 1000 * i, 100 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 5; round++) {
                List<Future<ArtifactRef>> results = new ArrayList<>();
                for (byte[] c : contents) {
                    results.add(pool.submit((Callable<ArtifactRef>) () -> store.put(key, c, TEACHER)));
                }
                for (Future<ArtifactRef> f : results) {
                    f.get();
                }
                StoredArtifact found = store.verify(key);
                byte[] now = Files.readAllBytes(store.path(key));
                assertEquals(Sha256.hex(now), found.manifest().sha256());
                assertTrue(contents.stream().anyMatch(c -> java.util.Arrays.equals(c, now)),
                    "the artifact is one writer's whole content");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
