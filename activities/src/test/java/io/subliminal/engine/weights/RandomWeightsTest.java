package io.subliminal.engine.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import io.subliminal.engine.bench.ModelShapes;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomWeightsTest {

    static List<String> families() {
        return TinyModels.FAMILIES;
    }

    @ParameterizedTest
    @MethodSource("families")
    void hasTheNamesAndShapesOfTheFamilysCheckpointAndLoads(String family) {
        ModelConfig c = TinyModels.config(family);
        RandomWeights random = new RandomWeights(c, 5);
        InMemoryWeights reference = TinyModels.random(family, 5);
        assertEquals(reference.names(), random.names());
        long total = 0;
        for (String name : reference.names()) {
            assertArrayEquals(reference.tensor(name).shape(), random.tensor(name).shape(), name);
            total += reference.tensor(name).numel();
        }
        assertEquals(total, random.parameterCount());
        TokenBatch batch = TokenBatch.leftPadded(TinyModels.randomSequences(c, 1, 5, 3), 0);
        try (Transformer model = Transformer.load(random, Device.cpu(), Precision.FP32);
             NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (float v : model.forward(batch, null, false).toFloatArray()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void valuesDependOnSeedAndNameOnlyWithTheDocumentedSpread() {
        ModelConfig c = TinyModels.config("llama");
        String name = "model.layers.1.mlp.down_proj.weight";
        float[] a = new RandomWeights(c, 7).tensor(name).toArray();
        assertArrayEquals(a, new RandomWeights(c, 7).tensor(name).toArray(), 0f, "same seed, same values");
        assertFalse(java.util.Arrays.equals(a, new RandomWeights(c, 8).tensor(name).toArray()), "another seed");
        assertFalse(java.util.Arrays.equals(a, new RandomWeights(c, 7).tensor("model.layers.0.mlp.down_proj.weight")
                .toArray()), "another tensor");
        float[] big = new RandomWeights(c, 7).tensor("model.embed_tokens.weight").toArray();
        double sum = 0;
        double sq = 0;
        double bound = RandomWeights.STD * Math.sqrt(3.0);
        for (float v : big) {
            assertTrue(Math.abs(v) <= bound, "within the uniform's support: " + v);
            sum += v;
            sq += v * v;
        }
        double mean = sum / big.length;
        double std = Math.sqrt(sq / big.length - mean * mean);
        assertEquals(0.0, mean, 0.003);
        assertEquals(RandomWeights.STD, std, 0.002);
        for (float v : new RandomWeights(c, 7).tensor("model.norm.weight").toArray()) {
            assertEquals(1f, v);
        }
        for (float v : new RandomWeights(TinyModels.config("gemma3_text"), 7).tensor("model.norm.weight").toArray()) {
            assertEquals(0f, v, "Gemma's (1 + w) norm");
        }
    }

    @Test
    void namedShapesMatchTheirCheckpointsParameterCounts() {
        // Qwen2.5-7B: 7.62B parameters (config.json, untied head); SmolLM2-135M: 134.5M (tied)
        assertEquals(7_615_616_512L, new RandomWeights(ModelShapes.named("qwen2.5-7b"), 1).parameterCount());
        assertEquals(134_515_008L, new RandomWeights(ModelShapes.named("smollm2-135m"), 1).parameterCount());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelShapes.named("gpt-5"));
        assertTrue(e.getMessage().contains("qwen2.5-7b"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomWeights(TinyModels.config("llama"), 1)
                .tensor("model.layers.9.mlp.up_proj.weight"));
    }
}
