package io.subliminal.activities.engine;

import io.subliminal.activities.support.LoadedModel;

import java.util.List;

/** Batched autoregressive sampling on a loaded model (the engine's sampler behind a stage-sized interface). */
public interface TokenSampler {

    /**
     * New tokens for each prompt: sampling stops at the first {@code stopId} (included in the result) or after
     * {@code maxNewTokens}. Prompts are left-padded together; {@code seed} makes the draws reproducible.
     */
    List<int[]> sample(LoadedModel model, List<int[]> prompts, Decoding decoding, int maxNewTokens, int stopId, long seed);
}
