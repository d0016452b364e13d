package io.subliminal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoresTest {

    @TempDir
    Path dir;

    @Test
    void fileUrisAndPlainPathsOpenLocalStores() throws IOException {
        try (ArtifactStore a = ArtifactStores.open(StoreConfig.of(dir.resolve("a").toUri().toString()));
             ArtifactStore b = ArtifactStores.open(StoreConfig.of(dir.resolve("b").toString()))) {
            assertInstanceOf(LocalArtifactStore.class, a);
            assertEquals(dir.resolve("a").toAbsolutePath(), ((LocalArtifactStore) b).directory().resolveSibling("a"));
        }
    }

    @Test
    void s3UrisOpenS3Stores() throws IOException {
        StoreConfig config = new StoreConfig("s3://my-bucket/exp/42", "v1",
            S3Settings.forEndpoint(URI.create("http://127.0.0.1:9")).withRegion("eu-west-1"), dir);
        try (ArtifactStore s = ArtifactStores.open(config)) {
            S3ArtifactStore s3 = assertInstanceOf(S3ArtifactStore.class, s);
            assertEquals(new S3Location("my-bucket", "exp/42/"), s3.location());
            assertEquals("s3://my-bucket/exp/42/runs/x.bin", s3.uri(new ArtifactKey("runs/x.bin")));
        }
    }

    @Test
    void unknownSchemesAndBadBucketsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ArtifactStores.open(StoreConfig.of("gs://bucket/x")));
        assertThrows(IllegalArgumentException.class, () -> S3Location.parse("s3://Bad_Bucket/x"));
        assertThrows(IllegalArgumentException.class, () -> S3Location.parse("s3://bucket/../x"));
    }

    @Test
    void environmentConfiguresTheStore() {
        StoreConfig c = StoreConfig.fromEnvironment(Map.of(
            "SUBLIMINAL_STORE", "s3://sweeps/fig3",
            "SUBLIMINAL_S3_ENDPOINT", "http://minio:9000",
            "SUBLIMINAL_S3_PART_SIZE_MB", "64",
            "SUBLIMINAL_S3_MAX_ATTEMPTS", "12",
            "SUBLIMINAL_S3_UPLOAD_CONCURRENCY", "6",
            "AWS_REGION", "us-west-2"));
        assertTrue(c.isS3());
        assertEquals(URI.create("http://minio:9000"), c.s3().endpoint().orElseThrow());
        assertTrue(c.s3().pathStyle(), "path-style by default with an endpoint override");
        assertEquals(64 << 20, c.s3().partSizeBytes());
        assertEquals(12, c.s3().maxAttempts());
        assertEquals(6, c.s3().uploadConcurrency());
        assertEquals("us-west-2", c.s3().region().orElseThrow());

        StoreConfig local = StoreConfig.fromEnvironment(Map.of());
        assertFalse(local.isS3());
        assertEquals(StoreConfig.DEFAULT_URI, local.uri());
        assertThrows(IllegalArgumentException.class,
            () -> S3Settings.fromEnvironment(Map.of("SUBLIMINAL_S3_PART_SIZE_MB", "1")));
        assertThrows(IllegalArgumentException.class,
            () -> S3Settings.fromEnvironment(Map.of("SUBLIMINAL_S3_PATH_STYLE", "maybe")));
    }
}
