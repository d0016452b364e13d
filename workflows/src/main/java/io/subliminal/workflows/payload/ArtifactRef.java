package io.subliminal.workflows.payload;

import java.util.Objects;

/**
 * A reference to an artifact in the artifact store: activities pass these through Temporal, never the bulk data.
 *
 * @param uri where it lives ({@code file:///...} or {@code s3://bucket/key})
 * @param sha256 lower-case hex digest of the content; readers verify it
 * @param size content length in bytes
 */
public record ArtifactRef(String uri, String sha256, long size) {

    public ArtifactRef {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(sha256, "sha256");
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("artifact sha256 must be 64 lower-case hex digits: " + sha256);
        }
        if (size < 0) {
            throw new IllegalArgumentException("artifact size must be >= 0: " + size);
        }
    }
}
