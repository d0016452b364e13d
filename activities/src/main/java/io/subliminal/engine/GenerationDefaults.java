package io.subliminal.engine;

import java.util.List;

/**
 * Sampling defaults of a model, merged the way Hugging Face {@code generate} merges {@code generation_config.json}
 * with {@code GenerationConfig}'s own defaults: what the file does not set stays at HF's default (do_sample false,
 * temperature 1.0, top_k 50, top_p 1.0, repetition_penalty 1.0).
 *
 * @param eosTokenIds the ids that stop generation (generation_config's {@code eos_token_id}, int or list)
 */
public record GenerationDefaults(
        boolean doSample,
        double temperature,
        int topK,
        double topP,
        double repetitionPenalty,
        List<Integer> eosTokenIds,
        Integer bosTokenId,
        Integer padTokenId) {

    public static final int HF_TOP_K = 50;

    public GenerationDefaults {
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
        if (temperature < 0) {
            throw new IllegalArgumentException("generation temperature must be >= 0: " + temperature);
        }
        if (topP <= 0 || topP > 1) {
            throw new IllegalArgumentException("generation top_p must be in (0, 1]: " + topP);
        }
        if (repetitionPenalty <= 0) {
            throw new IllegalArgumentException("generation repetition_penalty must be > 0: " + repetitionPenalty);
        }
    }

    /** HF's defaults, for checkpoints without a generation_config.json (e.g. a GGUF file). */
    public static GenerationDefaults huggingFace(List<Integer> eosTokenIds, Integer bosTokenId, Integer padTokenId) {
        return new GenerationDefaults(false, 1.0, HF_TOP_K, 1.0, 1.0, eosTokenIds, bosTokenId, padTokenId);
    }
}
