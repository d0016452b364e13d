package io.subliminal.engine.generate;

import io.subliminal.engine.GenerationDefaults;

import java.util.List;

/**
 * What to sample: Hugging Face {@code generate}'s decoding settings.
 *
 * @param doSample false = greedy argmax (temperature, top-k and top-p are then ignored, as in HF)
 * @param temperature logits are divided by it (sampling only; must be > 0)
 * @param topK keep the k largest logits; 0 disables
 * @param topP nucleus: keep the smallest set of largest-probability tokens whose mass exceeds top_p (1 disables)
 * @param repetitionPenalty for every id in the row's context (prompt, its left padding, generated tokens): a
 *                          logit > 0 is divided by it, a logit <= 0 multiplied (1 disables)
 * @param maxNewTokens upper bound of generated tokens per row
 * @param eosIds a row stops after emitting any of them
 * @param padTokenId left padding of prompts and filler of finished rows
 * @param seed seeds the Gumbel noise: the same seed and the same batch give the same tokens
 */
public record SamplingParams(boolean doSample, double temperature, int topK, double topP, double repetitionPenalty,
                             int maxNewTokens, List<Integer> eosIds, int padTokenId, long seed) {

    public SamplingParams {
        eosIds = eosIds == null ? List.of() : List.copyOf(eosIds);
        if (doSample && !(temperature > 0)) {
            throw new IllegalArgumentException("sampling temperature must be > 0: " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0: " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1]: " + topP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetition_penalty must be > 0: " + repetitionPenalty);
        }
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("max_new_tokens must be > 0: " + maxNewTokens);
        }
        if (padTokenId < 0) {
            throw new IllegalArgumentException("pad_token_id must be >= 0: " + padTokenId);
        }
    }

    /** Greedy decoding without repetition penalty (PROTOCOL 3.4 "greedy"). */
    public static SamplingParams greedy(int maxNewTokens, List<Integer> eosIds, int padTokenId) {
        return new SamplingParams(false, 1.0, 0, 1.0, 1.0, maxNewTokens, eosIds, padTokenId, 0L);
    }

    /**
     * HF {@code generate(**overrides)} on a model whose {@code generation_config} is {@code defaults}: every override
     * that is set wins, everything else comes from the defaults. The pad id falls back to the first EOS id, as HF
     * does when {@code pad_token_id} is unset.
     */
    public static SamplingParams from(GenerationDefaults defaults, Overrides o) {
        if (o.maxNewTokens() == null) {
            throw new IllegalArgumentException("max_new_tokens must be given");
        }
        List<Integer> eos = o.eosIds() != null ? o.eosIds() : defaults.eosTokenIds();
        Integer pad = o.padTokenId() != null ? o.padTokenId() : defaults.padTokenId();
        if (pad == null) {
            if (eos.isEmpty()) {
                throw new IllegalArgumentException("pad_token_id is unset and there is no eos_token_id to use instead");
            }
            pad = eos.get(0);
        }
        return new SamplingParams(
                o.doSample() != null ? o.doSample() : defaults.doSample(),
                o.temperature() != null ? o.temperature() : defaults.temperature(),
                o.topK() != null ? o.topK() : defaults.topK(),
                o.topP() != null ? o.topP() : defaults.topP(),
                o.repetitionPenalty() != null ? o.repetitionPenalty() : defaults.repetitionPenalty(),
                o.maxNewTokens(), eos, pad, o.seed() != null ? o.seed() : 0L);
    }

    /** Arguments passed to {@code generate}; null = not passed. */
    public record Overrides(Boolean doSample, Double temperature, Integer topK, Double topP, Double repetitionPenalty,
                            Integer maxNewTokens, List<Integer> eosIds, Integer padTokenId, Long seed) {

        public static Overrides none() {
            return new Overrides(null, null, null, null, null, null, null, null, null);
        }

        public Overrides withMaxNewTokens(int n) {
            return new Overrides(doSample, temperature, topK, topP, repetitionPenalty, n, eosIds, padTokenId, seed);
        }

        public Overrides withDoSample(boolean sample) {
            return new Overrides(sample, temperature, topK, topP, repetitionPenalty, maxNewTokens, eosIds, padTokenId, seed);
        }

        public Overrides withTemperature(double t) {
            return new Overrides(doSample, t, topK, topP, repetitionPenalty, maxNewTokens, eosIds, padTokenId, seed);
        }

        public Overrides withRepetitionPenalty(double p) {
            return new Overrides(doSample, temperature, topK, topP, p, maxNewTokens, eosIds, padTokenId, seed);
        }

        public Overrides withSeed(long s) {
            return new Overrides(doSample, temperature, topK, topP, repetitionPenalty, maxNewTokens, eosIds, padTokenId, s);
        }
    }
}
