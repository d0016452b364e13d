package io.subliminal.engine.nn;

import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.InMemoryWeights;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Random tiny checkpoints of every supported family, under HF tensor names. */
public final class TinyModels {

    public static final List<String> FAMILIES = List.of("llama", "qwen2", "mistral", "gemma3_text", "phi3");

    private TinyModels() {
    }

    public static ModelConfig config(String family) {
        return switch (family) {
            case "llama" -> new ModelConfig("llama", 97, 32, 64, 2, 4, 2, 8, 1e-5, 10000.0,
                    new ModelConfig.RopeScaling("llama3", 8.0, 1.0, 4.0, 16), true, false, 256, "silu",
                    null, null, null, null, null, null, 1, List.of(2), null);
            case "qwen2" -> new ModelConfig("qwen2", 101, 32, 48, 2, 4, 2, 8, 1e-6, 1000000.0, null, false, true,
                    256, "silu", null, null, null, null, null, null, null, List.of(3), 3);
            case "mistral" -> new ModelConfig("mistral", 89, 32, 64, 2, 4, 1, 8, 1e-5, 1000000.0, null, false, false,
                    256, "silu", null, 5, null, null, null, null, 1, List.of(2), null);
            case "gemma3_text" -> new ModelConfig("gemma3_text", 103, 32, 48, 3, 4, 2, 16, 1e-6, 1000000.0,
                    new ModelConfig.RopeScaling("linear", 4.0, 0, 0, 0), true, false, 256, "gelu_pytorch_tanh",
                    List.of("sliding_attention", "sliding_attention", "full_attention"), 4, 12.0, 10000.0,
                    null, null, 2, List.of(1), 0);
            case "phi3" -> new ModelConfig("phi3", 91, 32, 40, 2, 4, 4, 8, 1e-5, 10000.0, null, false, false,
                    256, "silu", null, null, null, null, null, null, 1, List.of(2), null);
            default -> throw new IllegalArgumentException("unknown family " + family);
        };
    }

    /** A random model of {@code family}; the same seed gives the same weights. */
    public static InMemoryWeights random(String family, long seed) {
        return random(config(family), seed);
    }

    public static InMemoryWeights random(ModelConfig c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, HostTensor> t = new LinkedHashMap<>();
        int h = c.hiddenSize();
        int q = c.numHeads() * c.headDim();
        int kv = c.numKvHeads() * c.headDim();
        int inter = c.intermediateSize();
        boolean gemma = c.isGemma3();
        put(t, rnd, "model.embed_tokens.weight", 1.0, c.vocabSize(), h);
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            norm(t, rnd, p + "input_layernorm.weight", gemma, h);
            norm(t, rnd, p + "post_attention_layernorm.weight", gemma, h);
            if (c.isPhi3()) {
                put(t, rnd, p + "self_attn.qkv_proj.weight", 0.2, q + 2 * kv, h);
                put(t, rnd, p + "mlp.gate_up_proj.weight", 0.2, 2 * inter, h);
            } else {
                put(t, rnd, p + "self_attn.q_proj.weight", 0.2, q, h);
                put(t, rnd, p + "self_attn.k_proj.weight", 0.2, kv, h);
                put(t, rnd, p + "self_attn.v_proj.weight", 0.2, kv, h);
                put(t, rnd, p + "mlp.gate_proj.weight", 0.2, inter, h);
                put(t, rnd, p + "mlp.up_proj.weight", 0.2, inter, h);
            }
            if (c.attentionBias()) {
                put(t, rnd, p + "self_attn.q_proj.bias", 0.2, q);
                put(t, rnd, p + "self_attn.k_proj.bias", 0.2, kv);
                put(t, rnd, p + "self_attn.v_proj.bias", 0.2, kv);
            }
            put(t, rnd, p + "self_attn.o_proj.weight", 0.2, h, q);
            put(t, rnd, p + "mlp.down_proj.weight", 0.2, h, inter);
            if (gemma) {
                norm(t, rnd, p + "self_attn.q_norm.weight", true, c.headDim());
                norm(t, rnd, p + "self_attn.k_norm.weight", true, c.headDim());
                norm(t, rnd, p + "pre_feedforward_layernorm.weight", true, h);
                norm(t, rnd, p + "post_feedforward_layernorm.weight", true, h);
            }
        }
        norm(t, rnd, "model.norm.weight", gemma, h);
        if (!c.tieWordEmbeddings()) {
            put(t, rnd, "lm_head.weight", 0.2, c.vocabSize(), h);
        }
        return new InMemoryWeights(c, t);
    }

    /** Random token sequences of the given lengths (ids drawn from the whole vocabulary). */
    public static List<int[]> randomSequences(ModelConfig c, long seed, int... lengths) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int len : lengths) {
            out.add(rnd.ints(len, 0, c.vocabSize()).toArray());
        }
        return out;
    }

    private static void norm(Map<String, HostTensor> t, SplittableRandom rnd, String name, boolean gemma, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((gemma ? 0.0 : 1.0) + 0.2 * (rnd.nextDouble() - 0.5));
        }
        t.put(name, new HostTensor(name, new long[]{n}, FloatBuffer.wrap(v)));
    }

    private static void put(Map<String, HostTensor> t, SplittableRandom rnd, String name, double scale, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        double std = scale / Math.sqrt(shape[shape.length - 1] / 32.0);
        for (int i = 0; i < n; i++) {
            v[i] = (float) (std * gaussian(rnd));
        }
        t.put(name, new HostTensor(name, shape, FloatBuffer.wrap(v)));
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = 1.0 - rnd.nextDouble();
        double w = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }
}
