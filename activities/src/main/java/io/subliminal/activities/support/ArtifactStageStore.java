package io.subliminal.activities.support;

import io.subliminal.store.ArtifactIntegrityException;
import io.subliminal.store.ArtifactKey;
import io.subliminal.store.ArtifactNotFoundException;
import io.subliminal.store.ArtifactStore;
import io.subliminal.store.Provenance;
import io.subliminal.store.StoredArtifact;
import io.subliminal.workflows.payload.ArtifactRef;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@link StageStore} of a worker: artifacts live in an {@link ArtifactStore} (local folder or S3); inputs are
 * copied (verified) into a local cache named by their sha256, and scratch space is a local folder.
 */
public final class ArtifactStageStore implements StageStore {
    private final ArtifactStore store;
    private final Path local;

    /** {@code local} holds the input cache ({@code inputs/}) and the scratch folders ({@code scratch/}). */
    public ArtifactStageStore(ArtifactStore store, Path local) {
        this.store = store;
        this.local = local.toAbsolutePath().normalize();
    }

    /** The store behind this one. */
    public ArtifactStore artifacts() {
        return store;
    }

    @Override
    public Path localCopy(ArtifactRef ref, String slot) {
        if (ref == null) {
            throw InvalidInputException.artifact(slot, "is required but not bound");
        }
        Path target = local.resolve("inputs").resolve(ref.sha256());
        try {
            if (Files.isRegularFile(target) && Files.size(target) == ref.size() && Sha256.of(target).equals(ref.sha256())) {
                return target;
            }
            return store.get(ref, target);
        } catch (ArtifactNotFoundException e) {
            throw InvalidInputException.artifact(slot, "not found: " + ref.uri());
        } catch (ArtifactIntegrityException e) {
            throw InvalidInputException.artifact(slot, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.artifact(slot, "not readable from this store: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("reading input '" + slot + "' (" + ref.uri() + "): " + e.getMessage(), e);
        }
    }

    @Override
    public ArtifactRef put(String key, Path file, String stage, String contentKey) {
        try {
            return store.put(new ArtifactKey(key), file, new Provenance(stage, contentKey));
        } catch (IOException e) {
            throw new UncheckedIOException("storing " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ArtifactRef> find(String key) {
        try {
            return store.find(new ArtifactKey(key)).map(StoredArtifact::ref);
        } catch (IOException e) {
            throw new UncheckedIOException("looking up " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean verify(ArtifactRef ref) {
        try (InputStream in = store.open(ref)) {
            in.transferTo(OutputStream.nullOutputStream());
            return true;
        } catch (ArtifactNotFoundException | ArtifactIntegrityException e) {
            return false;
        } catch (IllegalArgumentException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("verifying " + ref.uri() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Path scratch(String key) {
        Path dir = local.resolve("scratch").resolve(new ArtifactKey(key).value());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create scratch folder " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }
}
