package io.subliminal.activities;

import io.subliminal.activities.support.StageStore;
import io.subliminal.workflows.payload.ArtifactRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The real store with a switchable fault: the next {@code put} whose key matches fails once with an I/O error, as a
 * storage outage or a lost worker would. Records every key stored.
 */
final class FaultInjectingStore implements StageStore {
    private final StageStore delegate;
    final List<String> puts = new CopyOnWriteArrayList<>();
    private volatile Predicate<String> failNext;

    FaultInjectingStore(StageStore delegate) {
        this.delegate = delegate;
    }

    /** Arms one failure for the next put whose key matches. */
    void failNextPut(Predicate<String> keyMatches) {
        failNext = keyMatches;
    }

    @Override
    public Path localCopy(ArtifactRef ref, String slot) {
        return delegate.localCopy(ref, slot);
    }

    @Override
    public ArtifactRef put(String key, Path file, String stage, String contentKey) {
        Predicate<String> fail = failNext;
        if (fail != null && fail.test(key)) {
            failNext = null;
            throw new UncheckedIOException(new IOException("simulated storage outage while storing " + key));
        }
        puts.add(key);
        return delegate.put(key, file, stage, contentKey);
    }

    @Override
    public Optional<ArtifactRef> find(String key) {
        return delegate.find(key);
    }

    @Override
    public boolean verify(ArtifactRef ref) {
        return delegate.verify(ref);
    }

    @Override
    public Path scratch(String key) {
        return delegate.scratch(key);
    }
}
