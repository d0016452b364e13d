package io.subliminal.activities.support;

import io.subliminal.engine.ModelBundle;
import io.subliminal.engine.nn.Transformer;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A base model resident in a worker process: its checkpoint bundle (tokenizer, chat template, generation defaults)
 * and the transformer on the device. The transformer is not thread-safe and adapters attach to it, so stages use it
 * inside {@link #exclusive} and detach their adapters before leaving.
 */
public final class LoadedModel implements AutoCloseable {
    private final ModelKey key;
    private final ModelBundle bundle;
    private final Transformer transformer;
    private final ReentrantLock lock = new ReentrantLock();

    public LoadedModel(ModelKey key, ModelBundle bundle, Transformer transformer) {
        this.key = key;
        this.bundle = bundle;
        this.transformer = transformer;
    }

    public ModelKey key() {
        return key;
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public Transformer transformer() {
        return transformer;
    }

    /** Runs {@code work} while no other stage uses this model; adapters are detached afterwards whatever happens. */
    public <T> T exclusive(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            try {
                transformer.detachAdapters();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void close() {
        try {
            transformer.close();
        } finally {
            bundle.close();
        }
    }
}
