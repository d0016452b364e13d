package io.subliminal.activities.support;

import io.subliminal.engine.nn.Precision;

import java.util.Objects;

/**
 * Identity of a loaded base model in a worker process: where it was loaded from, in which precision, on which
 * device. Two activities asking for the same key share one copy.
 *
 * @param location a checkpoint folder, a GGUF file, or any id the {@link ModelCache.Loader} understands
 * @param precision compute precision of the transformer
 * @param device DJL device name ("cpu", "gpu0")
 */
public record ModelKey(String location, Precision precision, String device) {
    public ModelKey {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(device, "device");
    }
}
