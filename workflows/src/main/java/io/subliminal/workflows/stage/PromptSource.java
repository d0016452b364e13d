package io.subliminal.workflows.stage;

/** Where a teacher's user prompts come from. */
public enum PromptSource {
    /** The seeded number-sequence prompt generator (PROTOCOL.md §3). */
    NUMBER_SEQUENCES,
    /** The questions of openai/gsm8k "main", train split, in order (§11.5, Fig 34). */
    GSM8K_MAIN_TRAIN
}
