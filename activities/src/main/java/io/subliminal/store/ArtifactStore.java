package io.subliminal.store;

import io.subliminal.workflows.payload.ArtifactRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage for the artifacts that stages produce (datasets, adapters, checkpoints, evaluation results).
 *
 * <p>Every write is atomic (a reader sees the old artifact or the whole new one) and leaves a {@link Manifest} next
 * to the artifact; an artifact "exists" once its manifest agrees with it. Content streams in and out: nothing is
 * held whole in memory. Readers verify sha256 and size and throw {@link ArtifactIntegrityException} on a mismatch.
 * Concurrent writers of one key end with one artifact and its matching manifest.
 */
public interface ArtifactStore extends AutoCloseable {

    /** The store's root ({@code file:///dir/} or {@code s3://bucket/prefix/}). */
    URI root();

    /** The uri an artifact with this key has in this store. */
    String uri(ArtifactKey key);

    /** The key of an artifact of this store. */
    ArtifactKey keyOf(ArtifactRef ref);

    /**
     * Stores the stream's bytes (read to its end, not closed) under {@code key}, replacing any previous artifact.
     *
     * @return the reference of the artifact now stored at {@code key}
     */
    ArtifactRef put(ArtifactKey key, InputStream content, Provenance provenance) throws IOException;

    /** Stores a file's bytes under {@code key}. */
    default ArtifactRef put(ArtifactKey key, Path file, Provenance provenance) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return put(key, in, provenance);
        }
    }

    /** Stores a small in-memory payload (JSON results and the like) under {@code key}. */
    default ArtifactRef put(ArtifactKey key, byte[] content, Provenance provenance) throws IOException {
        return put(key, new java.io.ByteArrayInputStream(content), provenance);
    }

    /**
     * The artifact at {@code key} with its manifest, or empty when there is none or when its manifest is missing or
     * disagrees with it (a write that did not finish). Does not read the content; see {@link #verify}.
     */
    Optional<StoredArtifact> find(ArtifactKey key) throws IOException;

    /** Whether {@link #find} would find an artifact. */
    default boolean exists(ArtifactKey key) throws IOException {
        return find(key).isPresent();
    }

    /**
     * Opens an artifact for reading. The stream verifies sha256 and size against {@code ref} when read to its end
     * and throws {@link ArtifactIntegrityException} there on a mismatch.
     *
     * @throws ArtifactNotFoundException when nothing is stored at the ref's uri
     */
    InputStream open(ArtifactRef ref) throws IOException;

    /**
     * Copies an artifact to {@code target} (atomically: temporary sibling, fsync, rename), verifying it first.
     * On an integrity failure {@code target} is left untouched.
     *
     * @return {@code target}
     */
    default Path get(ArtifactRef ref, Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = AtomicFiles.tempSibling(target.toAbsolutePath());
        try {
            try (InputStream in = open(ref);
                 FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                in.transferTo(out);
                out.flush();
                ch.force(true);
            }
            AtomicFiles.publish(tmp, target.toAbsolutePath());
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies the artifact stored at {@code key} to {@code target}, verifying it against its manifest. */
    default Path get(ArtifactKey key, Path target) throws IOException {
        StoredArtifact found = find(key).orElseThrow(() -> new ArtifactNotFoundException(uri(key)));
        return get(found.ref(), target);
    }

    /**
     * Reads the artifact at {@code key} through and checks it against its manifest.
     *
     * @throws ArtifactNotFoundException when there is none
     * @throws ArtifactIntegrityException when its bytes do not match its manifest
     */
    default StoredArtifact verify(ArtifactKey key) throws IOException {
        StoredArtifact found = find(key).orElseThrow(() -> new ArtifactNotFoundException(uri(key)));
        try (InputStream in = open(found.ref())) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return found;
    }

    /** Keys of the artifacts (with manifests) whose key starts with {@code prefix}, sorted. */
    List<ArtifactKey> list(String prefix) throws IOException;

    /** Removes an artifact and its manifest (manifest first); a no-op when absent. */
    void delete(ArtifactKey key) throws IOException;

    @Override
    void close() throws IOException;
}
