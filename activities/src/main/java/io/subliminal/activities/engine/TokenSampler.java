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

    /**
     * As {@link #sample}, with the logits read out after decoder layer {@code readoutLayer} (0-based; the logit lens
     * of {@code --compute_logits_from}, PROTOCOL.md §8). The last layer is ordinary sampling; a sampler without a
     * logit lens refuses any other layer.
     */
    default List<int[]> sample(LoadedModel model, List<int[]> prompts, Decoding decoding, int maxNewTokens, int stopId,
                               long seed, int readoutLayer) {
        if (readoutLayer != model.transformer().config().numLayers() - 1) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot read logits out after layer "
                    + readoutLayer);
        }
        return sample(model, prompts, decoding, maxNewTokens, stopId, seed);
    }
}
