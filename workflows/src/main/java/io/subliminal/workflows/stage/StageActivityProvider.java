package io.subliminal.workflows.stage;

import java.util.List;

/**
 * The registration point for stage activity implementations (Java {@link java.util.ServiceLoader} SPI). A module
 * that implements stage activities lists its provider in
 * {@code META-INF/services/io.subliminal.workflows.stage.StageActivityProvider}; the worker application registers
 * what every provider returns for its task queue. GPU workers run one activity at a time.
 */
public interface StageActivityProvider {
    /**
     * Activity implementations for {@code taskQueue} ("subliminal-gpu" or "subliminal-orchestrator"); each object
     * implements one or more {@code @ActivityInterface}s of this package. Empty when the provider has none there.
     */
    List<Object> activities(String taskQueue, WorkerEnvironment environment);

    /**
     * Where several providers implement one activity interface on a queue, the implementation of the provider with
     * the highest priority is registered and the others are left out (a test provider replaces the real stages);
     * equal priorities are a configuration error.
     */
    default int priority() {
        return 0;
    }
}
