package io.subliminal.engine.weights;

import io.subliminal.engine.model.ModelConfig;

import java.util.Set;

/**
 * The tensors of a checkpoint under Hugging Face names ({@code model.embed_tokens.weight},
 * {@code model.layers.0.self_attn.q_proj.weight}, {@code lm_head.weight}, ...), whatever the file format.
 * Loaders translate their own naming and layout (GGUF names, llama.cpp's rotary permutation, quantisation) into this.
 */
public interface Weights extends AutoCloseable {

    ModelConfig config();

    Set<String> names();

    default boolean has(String name) {
        return names().contains(name);
    }

    /** The tensor, or an {@link IllegalArgumentException} naming the missing tensor. */
    HostTensor tensor(String name);

    @Override
    void close();
}
