package io.subliminal.engine.bench;

import io.subliminal.engine.model.ModelConfig;

import java.util.List;
import java.util.Map;

/**
 * Architectures of real checkpoints, for benchmarks on random weights of the same shape
 * ({@link io.subliminal.engine.weights.RandomWeights}); values from each model's Hugging Face {@code config.json}.
 */
public final class ModelShapes {

    /** SmolLM2-135M-Instruct: the embedded model (llama, 30 layers, hidden 576, 9 heads / 3 kv heads, tied). */
    public static final ModelConfig SMOLLM2_135M = new ModelConfig("llama", 49152, 576, 1536, 30, 9, 3, 64, 1e-5,
            100000.0, null, true, false, 8192, "silu", null, null, null, null, null, null, 1, List.of(2), 2);

    /** Qwen2.5-7B-Instruct: the paper's main model (qwen2, 28 layers, hidden 3584, 28 heads / 4 kv heads, q/k/v bias). */
    public static final ModelConfig QWEN25_7B = new ModelConfig("qwen2", 152064, 3584, 18944, 28, 28, 4, 128, 1e-6,
            1000000.0, null, false, true, 32768, "silu", null, null, null, null, null, null, null,
            List.of(151645, 151643), 151643);

    private static final Map<String, ModelConfig> BY_NAME = Map.of(
            "smollm2-135m", SMOLLM2_135M,
            "qwen2.5-7b", QWEN25_7B);

    private ModelShapes() {
    }

    /** The architecture called {@code name}, or an {@link IllegalArgumentException} listing the known names. */
    public static ModelConfig named(String name) {
        ModelConfig c = BY_NAME.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown model shape '" + name + "'; known: "
                    + BY_NAME.keySet().stream().sorted().toList());
        }
        return c;
    }
}
