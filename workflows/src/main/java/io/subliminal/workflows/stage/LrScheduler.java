package io.subliminal.workflows.stage;

/** Learning-rate schedule after warm-up (PROTOCOL.md §7.6). */
public enum LrScheduler {
    LINEAR, COSINE, COSINE_WITH_RESTARTS, CONSTANT
}
