package io.subliminal.engine.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.subliminal.engine.generate.Generation;
import io.subliminal.engine.generate.Sampler;
import io.subliminal.engine.generate.SamplingParams;
import io.subliminal.engine.model.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The logit lens ({@code --compute_logits_from L}): final norm and LM head on layer L's output. */
class LogitLensTest {

    static List<String> families() {
        return TinyModels.FAMILIES;
    }

    @ParameterizedTest
    @MethodSource("families")
    void lastLayerIsTheOrdinaryForwardAndEarlierLayersReadTheirOwnOutput(String family) {
        ModelConfig c = TinyModels.config(family);
        List<int[]> seqs = TinyModels.randomSequences(c, 5, 7, 4);
        TokenBatch batch = TokenBatch.leftPadded(seqs, 0);
        try (Transformer model = Transformer.load(TinyModels.random(family, 2), Device.cpu(), Precision.FP32);
             NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int last = c.numLayers() - 1;
            float[] normal = model.forward(batch, null, false).toFloatArray();
            assertArrayEquals(normal, model.forward(batch, null, false, last).toFloatArray(), 0f, "L = last layer");
            List<NDArray> outputs = model.layerOutputs(batch);
            for (int layer = 0; layer < last; layer++) {
                float[] lens = model.forward(batch, null, false, layer).toFloatArray();
                float[] readout = model.readout(outputs.get(layer)).toFloatArray();
                assertArrayEquals(readout, lens, 1e-5f, "layer " + layer + " = norm and head of its output");
                double diff = 0;
                for (int i = 0; i < lens.length; i++) {
                    diff = Math.max(diff, Math.abs(lens[i] - normal[i]));
                }
                assertTrue(diff > 1e-3, family + " layer " + layer + " differs from the last layer's logits: " + diff);
            }
            assertThrows(IllegalArgumentException.class, () -> model.forward(batch, null, false, c.numLayers()));
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void cachedGreedyGenerationFromALayerMatchesFullForwardsFromIt(String family) {
        ModelConfig c = TinyModels.config(family);
        int[] prompt = TinyModels.randomSequences(c, 9, 6).get(0);
        SamplingParams greedy = SamplingParams.greedy(5, List.of(), 0);
        try (Transformer model = Transformer.load(TinyModels.random(family, 4), Device.cpu(), Precision.FP32);
             NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int last = c.numLayers() - 1;
            assertArrayEquals(new Sampler(model).generate(List.of(prompt), greedy).get(0).tokens(),
                    new Sampler(model, last).generate(List.of(prompt), greedy).get(0).tokens());
            Generation lens = new Sampler(model, 0).generate(List.of(prompt), greedy).get(0);
            List<Integer> context = new ArrayList<>();
            Arrays.stream(prompt).forEach(context::add);
            for (int token : lens.tokens()) {
                int[] ids = context.stream().mapToInt(Integer::intValue).toArray();
                NDArray logits = model.forward(TokenBatch.leftPadded(List.of(ids), 0), null, true, 0);
                assertEquals(logits.argMax().getLong(), token, family + " step " + (context.size() - prompt.length));
                context.add(token);
            }
            assertThrows(IllegalArgumentException.class, () -> new Sampler(model, c.numLayers()));
        }
    }
}
