package io.subliminal.engine.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import io.subliminal.engine.loader.HfConfig;
import io.subliminal.engine.loader.SafetensorsWeights;
import io.subliminal.engine.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.InMemoryWeights;

import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our float32 forward against transformers' eager forward on the fixture checkpoints: logits within 1e-4. */
class HfParityTest {

    static final double TOLERANCE = 1e-4;

    static List<String> families() {
        return HfFixture.FAMILIES;
    }

    @ParameterizedTest
    @MethodSource("families")
    void configJsonParsesToTheArchitectureTheScriptSet(String family) {
        HfFixture f = HfFixture.load(family);
        ModelConfig parsed = HfConfig.read(f.dir().resolve("config.json"));
        ModelConfig expected = f.config();
        assertEquals(expected.modelType(), parsed.modelType());
        assertEquals(expected.headDim(), parsed.headDim());
        assertEquals(expected.ropeTheta(), parsed.ropeTheta());
        assertEquals(expected.ropeScaling(), parsed.ropeScaling());
        assertEquals(expected.ropeLocalTheta(), parsed.ropeLocalTheta());
        assertEquals(expected.queryPreAttnScalar(), parsed.queryPreAttnScalar());
        assertEquals(expected.tieWordEmbeddings(), parsed.tieWordEmbeddings());
        assertEquals(expected.finalLogitSoftcapping(), parsed.finalLogitSoftcapping());
        assertEquals(expected.attnLogitSoftcapping(), parsed.attnLogitSoftcapping());
        for (int i = 0; i < expected.numLayers(); i++) {
            assertEquals(Transformer.isSliding(expected, i), Transformer.isSliding(parsed, i), "layer " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void rotaryFrequenciesMatchHf(String family) {
        HfFixture f = HfFixture.load(family);
        ModelConfig c = f.config();
        Iterator<Map.Entry<String, JsonNode>> it = f.json().get("inv_freq").fields();
        int checked = 0;
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            float[] ours = e.getKey().contains("sliding") ? RotaryEmbedding.localInverseFrequencies(c)
                    : RotaryEmbedding.globalInverseFrequencies(c);
            JsonNode hf = e.getValue();
            assertEquals(c.headDim() / 2, hf.size());
            for (int i = 0; i < hf.size(); i++) {
                assertEquals(hf.get(i).floatValue(), ours[i], Math.ulp(hf.get(i).floatValue()) * 2, e.getKey() + "[" + i + "]");
            }
            checked++;
        }
        assertTrue(checked > 0);
    }

    @ParameterizedTest
    @MethodSource("families")
    void logitsMatchHf(String family) {
        HfFixture f = HfFixture.load(family);
        try (SafetensorsWeights w = SafetensorsWeights.open(f.dir()); // config.json parsed by HfConfig
             Transformer model = Transformer.load(w, Device.cpu(), Precision.FP32)) {
            assertLogits(f, model, "plain");
            assertLogits(f, model, "padded");
        }
    }

    /** The bf16 copy of the llama fixture (converted to float32 on load) runs exactly like its rounded weights. */
    @Test
    void bf16CheckpointRunsLikeItsRoundedWeights() {
        HfFixture f = HfFixture.load("llama");
        HfFixture bf = HfFixture.load("llama_bf16");
        TokenBatch batch = f.batch("plain");
        try (SafetensorsWeights fp32 = SafetensorsWeights.open(f.dir(), f.config());
             SafetensorsWeights bf16 = SafetensorsWeights.open(bf.dir(), f.config());
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Map<String, HostTensor> rounded = new LinkedHashMap<>();
            for (String n : fp32.names()) {
                float[] v = fp32.tensor(n).toArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = roundToBfloat16(v[i]);
                }
                rounded.put(n, new HostTensor(n, fp32.tensor(n).shape(), FloatBuffer.wrap(v)));
            }
            float[] expected;
            try (Transformer model = Transformer.load(new InMemoryWeights(f.config(), rounded), Device.cpu(), Precision.FP32)) {
                expected = model.logits(batch).toFloatArray();
            }
            try (Transformer model = Transformer.load(bf16, Device.cpu(), Precision.FP32)) {
                assertArrayEquals(expected, model.logits(batch).toFloatArray());
            }
            float[] hf = f.logits("plain");
            double moved = 0;
            for (int i = 0; i < hf.length; i++) {
                moved = Math.max(moved, Math.abs(hf[i] - expected[i]));
            }
            assertTrue(moved > 1e-3, "bf16 rounding must change the logits");
        }
    }

    /** Round to nearest even, as torch's float32 -> bfloat16 conversion. */
    static float roundToBfloat16(float x) {
        int bits = Float.floatToIntBits(x);
        bits = (bits + 0x7fff + ((bits >> 16) & 1)) & 0xffff0000;
        return Float.intBitsToFloat(bits);
    }

    static void assertLogits(HfFixture f, Transformer model, String input) {
        TokenBatch batch = f.batch(input);
        float[] expected = f.logits(input);
        int vocab = model.config().vocabSize();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float[] ours = model.logits(batch).toFloatArray();
            assertEquals(expected.length, ours.length);
            double maxDiff = 0;
            for (int i = 0; i < ours.length; i++) {
                if (batch.mask()[i / vocab] == 1) {
                    maxDiff = Math.max(maxDiff, Math.abs(expected[i] - ours[i]));
                }
            }
            assertTrue(maxDiff <= TOLERANCE, f.json().get("family").asText() + " " + input + ": max |diff| " + maxDiff);
        }
    }
}
