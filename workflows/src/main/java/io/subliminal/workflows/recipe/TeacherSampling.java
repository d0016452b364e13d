package io.subliminal.workflows.recipe;

import io.subliminal.workflows.stage.Sampling;

/** How the teacher data of a condition is sampled ("T" and "Gr" in PROTOCOL.md §12). */
public enum TeacherSampling {
    /** Temperature 1 plus the model's generation_config ("T"). */
    TEMPERATURE,
    /** Pure argmax with repetition penalty 1.0 ("Gr"). */
    GREEDY,
    /** Argmax keeping generation_config's repetition penalty (misalignment generator's "greedy", §11.4). */
    GREEDY_KEEP_PENALTY;

    /** The stage-level decoding settings. */
    public Sampling sampling() {
        return switch (this) {
            case TEMPERATURE -> Sampling.temperature(1.0);
            case GREEDY -> Sampling.argmax();
            case GREEDY_KEEP_PENALTY -> Sampling.argmaxKeepingRepetitionPenalty();
        };
    }
}
