package io.subliminal.activities.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The worker process's base models: each {@link ModelKey} is loaded once and shared by every activity that asks for
 * it. Concurrent requests for a key that is still loading wait for that one load; a failed load is forgotten so the
 * next attempt tries again.
 */
public final class ModelCache implements AutoCloseable {

    /** Loads one model (checkpoint to device). */
    @FunctionalInterface
    public interface Loader {
        LoadedModel load(ModelKey key);
    }

    private final Map<ModelKey, CompletableFuture<LoadedModel>> models = new ConcurrentHashMap<>();
    private final Loader loader;

    public ModelCache(Loader loader) {
        this.loader = loader;
    }

    /** The model for {@code key}, loading it on first use (on the calling thread). */
    public LoadedModel get(ModelKey key) {
        CompletableFuture<LoadedModel> mine = new CompletableFuture<>();
        CompletableFuture<LoadedModel> existing = models.putIfAbsent(key, mine);
        if (existing == null) {
            try {
                mine.complete(loader.load(key));
            } catch (RuntimeException | Error e) {
                models.remove(key, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            return mine.join();
        }
        try {
            return existing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for model " + key, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("loading model " + key + " failed", cause);
        }
    }

    /**
     * A model for {@code key} that is NOT shared (for full finetuning, which changes the base weights); the caller
     * closes it.
     */
    public LoadedModel loadPrivate(ModelKey key) {
        return loader.load(key);
    }

    /** True when {@code key} is loaded (or loading). */
    public boolean contains(ModelKey key) {
        return models.containsKey(key);
    }

    /** Number of resident models. */
    public int size() {
        return models.size();
    }

    /** Unloads every model. */
    @Override
    public void close() {
        List<CompletableFuture<LoadedModel>> all = new ArrayList<>(models.values());
        models.clear();
        for (CompletableFuture<LoadedModel> future : all) {
            if (future.isDone() && !future.isCompletedExceptionally()) {
                future.join().close();
            }
        }
    }
}
