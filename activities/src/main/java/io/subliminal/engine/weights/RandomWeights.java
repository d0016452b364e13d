package io.subliminal.engine.weights;

import io.subliminal.engine.model.ModelConfig;

import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A checkpoint of random weights with the tensor names and shapes of a {@link ModelConfig} (llama, qwen2, mistral,
 * gemma3_text, phi3), for benchmarks of real model shapes without the checkpoint. Each tensor is generated when it is
 * asked for, from the seed and its name alone (the same seed and name give the same values): matrices and biases
 * uniform with standard deviation {@link #STD} (HF's {@code initializer_range}), norm weights 1 (Gemma's (1 + w)
 * norms: 0). Generation runs on all cores; nothing is cached, so a 7B shape needs only its largest tensor in memory.
 */
public final class RandomWeights implements Weights {

    /** Standard deviation of the random matrices (HF's default {@code initializer_range}). */
    public static final double STD = 0.02;

    private final ModelConfig config;
    private final long seed;
    private final Map<String, long[]> shapes;
    private final Set<String> norms;

    public RandomWeights(ModelConfig config, long seed) {
        if (config == null) {
            throw new IllegalArgumentException("random weights need a model config");
        }
        this.config = config;
        this.seed = seed;
        Map<String, long[]> s = new LinkedHashMap<>();
        Set<String> n = new java.util.LinkedHashSet<>();
        int h = config.hiddenSize();
        int q = config.numHeads() * config.headDim();
        int kv = config.numKvHeads() * config.headDim();
        int inter = config.intermediateSize();
        s.put("model.embed_tokens.weight", new long[]{config.vocabSize(), h});
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            norm(s, n, p + "input_layernorm.weight", h);
            norm(s, n, p + "post_attention_layernorm.weight", h);
            if (config.isPhi3()) {
                s.put(p + "self_attn.qkv_proj.weight", new long[]{q + 2L * kv, h});
                s.put(p + "mlp.gate_up_proj.weight", new long[]{2L * inter, h});
            } else {
                s.put(p + "self_attn.q_proj.weight", new long[]{q, h});
                s.put(p + "self_attn.k_proj.weight", new long[]{kv, h});
                s.put(p + "self_attn.v_proj.weight", new long[]{kv, h});
                s.put(p + "mlp.gate_proj.weight", new long[]{inter, h});
                s.put(p + "mlp.up_proj.weight", new long[]{inter, h});
            }
            if (config.attentionBias()) {
                s.put(p + "self_attn.q_proj.bias", new long[]{q});
                s.put(p + "self_attn.k_proj.bias", new long[]{kv});
                s.put(p + "self_attn.v_proj.bias", new long[]{kv});
            }
            s.put(p + "self_attn.o_proj.weight", new long[]{h, q});
            s.put(p + "mlp.down_proj.weight", new long[]{h, inter});
            if (config.isGemma3()) {
                norm(s, n, p + "self_attn.q_norm.weight", config.headDim());
                norm(s, n, p + "self_attn.k_norm.weight", config.headDim());
                norm(s, n, p + "pre_feedforward_layernorm.weight", h);
                norm(s, n, p + "post_feedforward_layernorm.weight", h);
            }
        }
        norm(s, n, "model.norm.weight", h);
        if (!config.tieWordEmbeddings()) {
            s.put("lm_head.weight", new long[]{config.vocabSize(), h});
        }
        this.shapes = Collections.unmodifiableMap(s);
        this.norms = Collections.unmodifiableSet(n);
    }

    private static void norm(Map<String, long[]> shapes, Set<String> norms, String name, int n) {
        shapes.put(name, new long[]{n});
        norms.add(name);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Set<String> names() {
        return shapes.keySet();
    }

    /** Number of values over all tensors. */
    public long parameterCount() {
        long total = 0;
        for (long[] shape : shapes.values()) {
            total += numel(shape);
        }
        return total;
    }

    @Override
    public HostTensor tensor(String name) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'");
        }
        long n = numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + n + " values, more than one Java array holds");
        }
        float[] values = new float[(int) n];
        if (norms.contains(name)) {
            java.util.Arrays.fill(values, config.isGemma3() ? 0f : 1f);
        } else {
            fillUniform(values, mix(seed ^ fnv(name)));
        }
        return new HostTensor(name, shape.clone(), FloatBuffer.wrap(values));
    }

    /** Uniform on [-a, a] with a = STD * sqrt(3) (so the standard deviation is STD), counter-based and parallel. */
    private static void fillUniform(float[] values, long key) {
        float half = (float) (STD * Math.sqrt(3.0));
        int block = 1 << 16;
        int blocks = (values.length + block - 1) / block;
        IntStream.range(0, blocks).parallel().forEach(b -> {
            int end = Math.min(values.length, (b + 1) * block);
            for (int i = b * block; i < end; i++) {
                // top 24 bits of a splitmix64 hash of (key, i): a uniform float in [0, 1)
                float u = (mix(key + i * 0x9E3779B97F4A7C15L) >>> 40) * 0x1.0p-24f;
                values[i] = (2f * u - 1f) * half;
            }
        });
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** splitmix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** 64-bit FNV-1a of the name's UTF-8 bytes. */
    private static long fnv(String name) {
        long h = 0xCBF29CE484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001B3L;
        }
        return h;
    }

    @Override
    public void close() {
    }
}
