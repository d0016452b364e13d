package io.subliminal.workflows.stage;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Keeps loaded base models across the activities of one worker process (a GPU worker runs one activity at a time,
 * and consecutive stages usually need the same base model). Least-recently-used entries beyond {@code capacity}
 * are closed, which frees their device memory. Thread-safe.
 */
public final class BaseModelCache implements AutoCloseable {
    private final int capacity;
    private final LinkedHashMap<String, AutoCloseable> entries = new LinkedHashMap<>(16, 0.75f, true);

    public BaseModelCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** The cached value for {@code key}, loading it (and evicting the least recently used ones) when absent. */
    public synchronized <T extends AutoCloseable> T get(String key, Class<T> type, Supplier<T> loader) {
        AutoCloseable cached = entries.get(key);
        if (cached != null) {
            if (!type.isInstance(cached)) {
                throw new IllegalStateException("cache entry '" + key + "' is a " + cached.getClass().getName() + ", not a " + type.getName());
            }
            return type.cast(cached);
        }
        while (entries.size() >= capacity) {
            Iterator<Map.Entry<String, AutoCloseable>> eldest = entries.entrySet().iterator();
            Map.Entry<String, AutoCloseable> evicted = eldest.next();
            eldest.remove();
            closeQuietly(evicted.getKey(), evicted.getValue());
        }
        T loaded = loader.get();
        entries.put(key, loaded);
        return loaded;
    }

    /** Keys currently held, least recently used first. */
    public synchronized java.util.List<String> keys() {
        return java.util.List.copyOf(entries.keySet());
    }

    /** Closes and forgets every entry. */
    @Override
    public synchronized void close() {
        entries.forEach(BaseModelCache::closeQuietly);
        entries.clear();
    }

    private static void closeQuietly(String key, AutoCloseable value) {
        try {
            value.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close cached model '" + key + "'", e);
        }
    }
}
