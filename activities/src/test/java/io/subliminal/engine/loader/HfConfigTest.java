package io.subliminal.engine.loader;

import io.subliminal.engine.GenerationDefaults;
import io.subliminal.engine.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfConfigTest {

    static Path fixture(String name) {
        try {
            return Path.of(HfConfigTest.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test fixture config/" + name, e);
        }
    }

    @Test
    void smolLm2() {
        ModelConfig c = HfConfig.read(fixture("smollm2-135m-instruct.json"));
        assertEquals("llama", c.modelType());
        assertEquals(49152, c.vocabSize());
        assertEquals(576, c.hiddenSize());
        assertEquals(1536, c.intermediateSize());
        assertEquals(30, c.numLayers());
        assertEquals(9, c.numHeads());
        assertEquals(3, c.numKvHeads());
        assertEquals(64, c.headDim());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(100000.0, c.ropeTheta());
        assertNull(c.ropeScaling());
        assertTrue(c.tieWordEmbeddings());
        assertFalse(c.attentionBias());
        assertEquals("silu", c.hiddenAct());
        assertNull(c.layerTypes());
        assertEquals(1, c.bosTokenId());
        assertEquals(List.of(2), c.eosTokenIds());
        assertEquals(2, c.padTokenId());
    }

    @Test
    void llama32WithLlama3RopeScaling() {
        ModelConfig c = HfConfig.read(fixture("llama-3.2-3b-instruct.json"));
        assertEquals(128, c.headDim());
        assertEquals(500000.0, c.ropeTheta());
        ModelConfig.RopeScaling s = c.ropeScaling();
        assertEquals("llama3", s.type());
        assertEquals(32.0, s.factor());
        assertEquals(1.0, s.lowFreqFactor());
        assertEquals(4.0, s.highFreqFactor());
        assertEquals(8192, s.originalMaxPositionEmbeddings());
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
        assertNull(c.padTokenId());
    }

    @Test
    void falcon3UsesExplicitHeadDim() {
        ModelConfig c = HfConfig.read(fixture("falcon3-7b-instruct.json"));
        assertEquals(256, c.headDim()); // not hidden/heads = 3072/12
        assertEquals(1000042.0, c.ropeTheta());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(List.of(11), c.eosTokenIds());
    }

    @Test
    void qwen2HasAttentionBiasAndNoSlidingWindowWhenDisabled() {
        ModelConfig c = HfConfig.read(fixture("qwen2.5-7b-instruct.json"));
        assertEquals("qwen2", c.modelType());
        assertTrue(c.attentionBias());
        assertEquals(128, c.headDim());
        assertEquals(4, c.numKvHeads());
        assertEquals(152064, c.vocabSize());
        assertNull(c.layerTypes());
        assertNull(c.slidingWindow());
        assertEquals(1e6, c.ropeTheta());
    }

    @Test
    void qwen2SlidingWindowAppliesFromMaxWindowLayers() {
        ModelConfig c = HfConfig.parse("{\"model_type\":\"qwen2\",\"num_hidden_layers\":4,\"hidden_size\":64,"
                + "\"num_attention_heads\":4,\"use_sliding_window\":true,\"sliding_window\":16,\"max_window_layers\":2}");
        assertEquals(List.of("full_attention", "full_attention", "sliding_attention", "sliding_attention"), c.layerTypes());
        assertEquals(16, c.slidingWindow());
    }

    @Test
    void ministralSlidingWindowOnEveryLayer() {
        ModelConfig c = HfConfig.read(fixture("ministral-8b-instruct-2410.json"));
        assertEquals("mistral", c.modelType());
        assertEquals(1e8, c.ropeTheta());
        assertEquals(128, c.headDim());
        assertEquals(32768, c.slidingWindow());
        assertEquals(Collections.nCopies(36, "sliding_attention"), c.layerTypes());
    }

    @Test
    void mistralLayerTypesFieldIsHonoured() {
        ModelConfig c = HfConfig.parse("{\"model_type\":\"mistral\",\"num_hidden_layers\":3,\"hidden_size\":64,"
                + "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"sliding_window\":8,"
                + "\"layer_types\":[\"sliding_attention\",\"full_attention\",\"sliding_attention\"]}");
        assertEquals(List.of("sliding_attention", "full_attention", "sliding_attention"), c.layerTypes());
        assertTrue(c.isSlidingLayer(0));
        assertFalse(c.isSlidingLayer(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfConfig.parse(
                "{\"model_type\":\"mistral\",\"num_hidden_layers\":2,\"layer_types\":[\"full_attention\",\"chunked_attention\"]}"));
        assertTrue(e.getMessage().contains("layer_types") && e.getMessage().contains("chunked_attention"), e.getMessage());
    }

    @Test
    void mistralDefaultsKvHeadsToEight() {
        ModelConfig c = HfConfig.parse("{\"model_type\":\"mistral\"}");
        assertEquals(8, c.numKvHeads());
        assertEquals(4096, c.slidingWindow());
    }

    @Test
    void gemma3WrapperFillsTextConfigDefaults() {
        ModelConfig c = HfConfig.read(fixture("gemma-3-4b-it.json"));
        assertEquals("gemma3_text", c.modelType());
        assertTrue(c.isGemma3());
        assertEquals(262208, c.vocabSize());
        assertEquals(2560, c.hiddenSize());
        assertEquals(10240, c.intermediateSize());
        assertEquals(34, c.numLayers());
        assertEquals(8, c.numHeads());
        assertEquals(4, c.numKvHeads());
        assertEquals(256, c.headDim());
        assertEquals(256.0, c.queryPreAttnScalar());
        assertEquals(1e6, c.ropeTheta());
        assertEquals(10000.0, c.ropeLocalTheta());
        assertEquals(1024, c.slidingWindow());
        assertEquals("linear", c.ropeScaling().type());
        assertEquals(8.0, c.ropeScaling().factor());
        assertEquals("gelu_pytorch_tanh", c.hiddenAct());
        assertTrue(c.tieWordEmbeddings());
        assertNull(c.finalLogitSoftcapping());
        assertNull(c.attnLogitSoftcapping());
        assertEquals(1e-6, c.rmsNormEps());
        for (int i = 0; i < 34; i++) {
            assertEquals((i + 1) % 6 != 0, c.isSlidingLayer(i), "layer " + i);
        }
        assertEquals(List.of(1, 106), c.eosTokenIds()); // the wrapper's, since text_config has none
        assertEquals(2, c.bosTokenId());
        assertEquals(0, c.padTokenId());
    }

    @Test
    void gemma3TextConfig() {
        ModelConfig c = HfConfig.read(fixture("gemma-3-1b-it.json"));
        assertEquals(1, c.numKvHeads());
        assertEquals(512, c.slidingWindow());
        assertEquals(262144, c.vocabSize());
        assertNull(c.ropeScaling());
        assertEquals(26, c.layerTypes().size());
        assertEquals("full_attention", c.layerTypes().get(5));
        assertEquals("sliding_attention", c.layerTypes().get(6));
        assertEquals("sliding_attention", c.layerTypes().get(25));
    }

    @Test
    void gemma3SoftcappingAndPatternFields() {
        ModelConfig c = HfConfig.parse("{\"model_type\":\"gemma3_text\",\"num_hidden_layers\":4,\"sliding_window_pattern\":2,"
                + "\"final_logit_softcapping\":30.0,\"attn_logit_softcapping\":50.0}");
        assertEquals(List.of("sliding_attention", "full_attention", "sliding_attention", "full_attention"), c.layerTypes());
        assertEquals(30.0, c.finalLogitSoftcapping());
        assertEquals(50.0, c.attnLogitSoftcapping());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HfConfig.parse("{\"model_type\":\"gemma3\",\"text_config\":{\"hidden_activation\":\"relu\"}}"));
        assertTrue(e.getMessage().contains("hidden_activation") && e.getMessage().contains("relu"), e.getMessage());
    }

    @Test
    void transformers5RopeParameters() {
        ModelConfig llama = HfConfig.parse("{\"model_type\":\"llama\",\"rope_parameters\":{\"rope_type\":\"llama3\","
                + "\"rope_theta\":500000.0,\"factor\":32.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
                + "\"original_max_position_embeddings\":8192}}");
        assertEquals(500000.0, llama.ropeTheta());
        assertEquals("llama3", llama.ropeScaling().type());
        ModelConfig plain = HfConfig.parse("{\"model_type\":\"qwen2\",\"rope_parameters\":{\"rope_type\":\"default\","
                + "\"rope_theta\":1000000.0}}");
        assertEquals(1e6, plain.ropeTheta());
        assertNull(plain.ropeScaling());
        ModelConfig gemma = HfConfig.parse("{\"model_type\":\"gemma3_text\",\"rope_parameters\":{"
                + "\"full_attention\":{\"rope_type\":\"linear\",\"factor\":8.0,\"rope_theta\":1000000.0},"
                + "\"sliding_attention\":{\"rope_type\":\"default\",\"rope_theta\":10000.0}}}");
        assertEquals(1e6, gemma.ropeTheta());
        assertEquals(8.0, gemma.ropeScaling().factor());
        assertEquals(10000.0, gemma.ropeLocalTheta());
    }

    @Test
    void phi4() {
        ModelConfig c = HfConfig.read(fixture("phi-4.json"));
        assertTrue(c.isPhi3());
        assertEquals(5120, c.hiddenSize());
        assertEquals(40, c.numHeads());
        assertEquals(10, c.numKvHeads());
        assertEquals(128, c.headDim());
        assertEquals(100352, c.vocabSize());
        assertEquals(250000.0, c.ropeTheta());
        assertNull(c.layerTypes());
        assertEquals(List.of(100265), c.eosTokenIds());
    }

    @Test
    void phi4MiniPartialRotaryIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HfConfig.read(fixture("phi-4-mini-instruct.json")));
        assertTrue(e.getMessage().contains("partial_rotary_factor") && e.getMessage().contains("0.75"), e.getMessage());
        assertTrue(e.getMessage().contains("phi-4-mini-instruct.json"), e.getMessage());
    }

    @Test
    void longRopeIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfConfig.parse(
                "{\"model_type\":\"phi3\",\"rope_scaling\":{\"type\":\"longrope\",\"long_factor\":[1],\"short_factor\":[1]}}"));
        assertTrue(e.getMessage().contains("rope_scaling.type") && e.getMessage().contains("longrope"), e.getMessage());
        IllegalArgumentException yarn = assertThrows(IllegalArgumentException.class, () -> HfConfig.parse(
                "{\"model_type\":\"llama\",\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4}}"));
        assertTrue(yarn.getMessage().contains("rope_scaling.rope_type") && yarn.getMessage().contains("yarn"));
    }

    @Test
    void unsupportedModelTypeAndFieldValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HfConfig.parse("{\"model_type\":\"gpt2\",\"n_layer\":12}"));
        assertTrue(e.getMessage().contains("model_type") && e.getMessage().contains("gpt2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HfConfig.parse("{\"hidden_size\":12}"));
        IllegalArgumentException act = assertThrows(IllegalArgumentException.class,
                () -> HfConfig.parse("{\"model_type\":\"llama\",\"hidden_act\":\"gelu\"}"));
        assertTrue(act.getMessage().contains("hidden_act") && act.getMessage().contains("gelu"));
        IllegalArgumentException mlp = assertThrows(IllegalArgumentException.class,
                () -> HfConfig.parse("{\"model_type\":\"llama\",\"mlp_bias\":true}"));
        assertTrue(mlp.getMessage().contains("mlp_bias"));
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> HfConfig.parse("{\"model_type\":\"llama\",\"hidden_size\":\"big\"}"));
        assertTrue(type.getMessage().contains("hidden_size"));
    }

    @Test
    void generationConfigMergesWithHfDefaults() {
        ModelConfig qwen = HfConfig.read(fixture("qwen2.5-7b-instruct.json"));
        GenerationDefaults g = HfGenerationConfig.parse("{\"bos_token_id\":151643,\"pad_token_id\":151643,\"do_sample\":true,"
                + "\"eos_token_id\":[151645,151643],\"repetition_penalty\":1.05,\"temperature\":0.7,\"top_p\":0.8,\"top_k\":20,"
                + "\"transformers_version\":\"4.37.0\"}", qwen);
        assertEquals(new GenerationDefaults(true, 0.7, 20, 0.8, 1.05, List.of(151645, 151643), 151643, 151643), g);

        GenerationDefaults gemma = HfGenerationConfig.parse(
                "{\"bos_token_id\":2,\"cache_implementation\":\"hybrid\",\"do_sample\":true,\"eos_token_id\":[1,106],"
                        + "\"pad_token_id\":0,\"top_k\":64,\"top_p\":0.95}", null);
        assertEquals(1.0, gemma.temperature());
        assertEquals(64, gemma.topK());
        assertEquals(0.95, gemma.topP());
        assertEquals(1.0, gemma.repetitionPenalty());

        GenerationDefaults empty = HfGenerationConfig.parse("{}", qwen);
        assertEquals(GenerationDefaults.huggingFace(List.of(151645), 151643, null), empty);
        assertEquals(0, HfGenerationConfig.parse("{\"top_k\":null}", null).topK());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HfGenerationConfig.parse("{\"top_p\":\"high\"}", null));
        assertTrue(e.getMessage().contains("top_p"));
    }
}
