package io.subliminal.workflows.stage;

/** How the factual and counterfactual teachers differ when marking divergence tokens. */
public enum DivergenceMode {
    /** One base model under different preference system prompts (PROTOCOL.md §6.1). */
    SYSTEM_PROMPT_TEACHERS,
    /** The original model versus a finetuned (misaligned) model, no system prompt (§6.3). */
    FINETUNED_TEACHER
}
