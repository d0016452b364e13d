package io.subliminal.workflows.stage;

/** Attribution-patching direction (PROTOCOL.md §11.2). */
public enum PatchingDirection {
    NOISING, DENOISING
}
