package io.subliminal.store;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Objects;

/**
 * An artifact found in a store: its key, the reference activities pass on, and its manifest.
 *
 * @param key store-relative key
 * @param ref uri, sha256 and size
 * @param manifest provenance and digest as recorded when it was written
 */
public record StoredArtifact(ArtifactKey key, ArtifactRef ref, Manifest manifest) {

    public StoredArtifact {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(manifest, "manifest");
    }

    /** Whether this artifact was produced from inputs identified by {@code contentKey}. */
    public boolean producedFrom(String contentKey) {
        return manifest.contentKey().equals(contentKey);
    }
}
