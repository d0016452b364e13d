package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;

/** A saved training state: optimizer step and the adapter (or full weights) at that step. */
public record Checkpoint(int step, ArtifactRef weights) {
    public Checkpoint {
        Checks.positive("checkpoint.step", step);
        Checks.present("checkpoint.weights", weights);
    }
}
