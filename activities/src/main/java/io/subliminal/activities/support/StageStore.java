package io.subliminal.activities.support;

import io.subliminal.workflows.payload.ArtifactRef;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What the stage activities need from the artifact store: verified local copies of inputs and content-addressed
 * publication of outputs under a key ("generate-numbers/&lt;content key&gt;/raw_dataset.jsonl").
 */
public interface StageStore {

    /**
     * A local file with the content of {@code ref}, after checking its size and sha256. A missing or mismatching
     * artifact is an {@link InvalidInputException} naming {@code slot}; a read that failed is an I/O error (retryable).
     */
    Path localCopy(ArtifactRef ref, String slot);

    /**
     * Stores {@code file} under {@code key} (atomically; an existing object is replaced), recording the producing
     * stage and its content key, and returns its reference.
     */
    ArtifactRef put(String key, Path file, String stage, String contentKey);

    /** The object stored under {@code key}, if any, with its size and digest as stored. */
    Optional<ArtifactRef> find(String key);

    /** True when the object that {@code ref} names exists with the same size and sha256. */
    boolean verify(ArtifactRef ref);

    /** A local scratch folder for {@code key} that survives activity attempts on this worker (partial files, checkpoints). */
    Path scratch(String key);
}
