package io.subliminal.workers;

import io.micronaut.runtime.Micronaut;

/**
 * The worker process. {@code SUBLIMINAL_ROLE=orchestrator} hosts the workflows and CPU activities;
 * {@code SUBLIMINAL_ROLE=gpu} (one process per device, {@code SUBLIMINAL_DEVICE=cuda:N}) hosts the stage activities,
 * one at a time. Serves {@code /health} and {@code /prometheus}.
 */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}
