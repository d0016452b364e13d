package io.subliminal.activities.engine;

import ai.djl.pytorch.jni.JniUtils;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.engine.generate.Generation;
import io.subliminal.engine.generate.Sampler;
import io.subliminal.engine.generate.SamplingParams;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link TokenSampler} with the engine's {@link Sampler}: left-padded batch with the stop id as pad (the original
 * sets pad = eos), HF processors in HF order, seeded Gumbel-max sampling, without autograd.
 */
public final class EngineSampler implements TokenSampler {

    @Override
    public List<int[]> sample(LoadedModel model, List<int[]> prompts, Decoding decoding, int maxNewTokens, int stopId, long seed) {
        return sample(model, prompts, decoding, maxNewTokens, stopId, seed, model.transformer().config().numLayers() - 1);
    }

    @Override
    public List<int[]> sample(LoadedModel model, List<int[]> prompts, Decoding decoding, int maxNewTokens, int stopId,
                              long seed, int readoutLayer) {
        JniUtils.setGradMode(false);
        SamplingParams params = new SamplingParams(!decoding.greedy(), decoding.temperature(), decoding.topK(),
                decoding.topP(), decoding.repetitionPenalty(), maxNewTokens, List.of(stopId), stopId, seed);
        List<Generation> generations = new Sampler(model.transformer(), readoutLayer).generate(prompts, params);
        List<int[]> out = new ArrayList<>(generations.size());
        for (Generation g : generations) {
            out.add(g.tokens());
        }
        return out;
    }
}
