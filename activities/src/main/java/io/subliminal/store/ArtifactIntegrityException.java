package io.subliminal.store;

import java.io.IOException;

/**
 * The bytes read for an artifact do not match its recorded sha256 or size: the artifact is corrupt or was replaced,
 * and the stage that produced it must run again.
 */
public final class ArtifactIntegrityException extends IOException {

    private final String uri;
    private final String stage;
    private final String expectedSha256;
    private final String actualSha256;

    public ArtifactIntegrityException(String uri, String stage, String expectedSha256, long expectedSize,
                                      String actualSha256, long actualSize) {
        super("artifact " + uri + " failed verification: expected sha256 " + expectedSha256 + " (" + expectedSize
            + " bytes) but read sha256 " + actualSha256 + " (" + actualSize + " bytes); re-run the producing stage '"
            + (stage == null ? "unknown" : stage) + "'");
        this.uri = uri;
        this.stage = stage;
        this.expectedSha256 = expectedSha256;
        this.actualSha256 = actualSha256;
    }

    public ArtifactIntegrityException(String uri, String stage, String message) {
        super("artifact " + uri + " failed verification: " + message + "; re-run the producing stage '"
            + (stage == null ? "unknown" : stage) + "'");
        this.uri = uri;
        this.stage = stage;
        this.expectedSha256 = null;
        this.actualSha256 = null;
    }

    /** The artifact's uri. */
    public String uri() {
        return uri;
    }

    /** The stage that produced the artifact (from its manifest), or null when unknown. */
    public String stage() {
        return stage;
    }

    /** The digest the reader expected, or null when the failure was not a digest comparison. */
    public String expectedSha256() {
        return expectedSha256;
    }

    /** The digest of the bytes actually read, or null when the failure was not a digest comparison. */
    public String actualSha256() {
        return actualSha256;
    }
}
