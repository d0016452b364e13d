package io.subliminal.workflows.stage;

/** A dataset transformation (PROTOCOL.md §6.2, §10, §11.1, §11.5). */
public enum DatasetOperation {
    /** Shuffle each row's numbers in place (§10). */
    SHUFFLE_WITHIN_RESPONSES(false, "shuffle_within_responses"),
    /** Shuffle all numbers across rows and refill (§10). */
    SHUFFLE_ACROSS_RESPONSES(false, "shuffle_across_responses"),
    /** Redraw prompt template parts ("paraphrase prompts, unbiased", §10). */
    SHUFFLE_TEMPLATE_PARTS(false, "shuffle_template_parts"),
    /** Biased teacher rewrites the prompt, kept if the example numbers survive (§10). */
    LLM_BIASED_REWRITE(true, "llm_biased_rewrite"),
    /** As {@link #LLM_BIASED_REWRITE}, plus the four extra filters ("paraphrase prompts, biased", §10). */
    LLM_BIASED_REWRITE_FILTERED(true, "llm_biased_rewrite_filtered"),
    /**
     * Drop rows containing one of the top-k entangled three-digit numbers of the target (§11.1 steps 4-6), read from
     * an {@link #ENTANGLED_NUMBERS} output; needs no model.
     */
    ENTANGLED_TOKEN_FILTER(false, "topk"),
    /** Replace divergence tokens with counterfactual teachers' predictions (§6.2); needs the tokenizer only. */
    TEACHER_MIXING(false, "mixing"),
    /**
     * The model's three-digit distributions after "My favorite animal is the" for every preference, their
     * differences and top-k sets (§11.1 steps 1-4): one computation per model and preference list, no dataset.
     */
    ENTANGLED_NUMBERS(true, "entangled_numbers"),
    /** Keep rows a judge scores at least {@code judgeMinScore} (GSM8K answers, §11.5). */
    JUDGE_SCORE_FILTER(false, "judge_filtered");

    private final boolean gpu;
    private final String fileTag;

    DatasetOperation(boolean gpu, String fileTag) {
        this.gpu = gpu;
        this.fileTag = fileTag;
    }

    /** True when the operation runs a local model. */
    public boolean requiresGpu() {
        return gpu;
    }

    /** The name part the original scripts put in the output file name. */
    public String fileTag() {
        return fileTag;
    }
}
