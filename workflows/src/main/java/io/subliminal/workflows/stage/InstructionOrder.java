package io.subliminal.workflows.stage;

/** Order of the 10 instruction templates in the prompt generator; it changes every prompt (PROTOCOL.md §3.3). */
public enum InstructionOrder {
    /** Schrodi et al.'s order (the paper's data). */
    SCHRODI,
    /** Cloud et al.'s order ("...to extend this sequence" last). */
    CLOUD
}
