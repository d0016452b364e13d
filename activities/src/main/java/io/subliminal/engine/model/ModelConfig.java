package io.subliminal.engine.model;

import java.util.List;

/**
 * Architecture hyper-parameters of a decoder-only LLM, in Hugging Face {@code config.json} terms.
 *
 * <p>One record serves every supported family: {@code llama} (SmolLM2, Llama 3.2, Falcon3), {@code qwen2}
 * (q/k/v bias), {@code mistral}, {@code gemma3_text} (scaled embeddings, (1+w) RMSNorm, q/k norm, sliding-window
 * and global layers, GeGLU) and {@code phi3} (fused qkv and gate_up). Fields that a family does not use are null.
 *
 * @param modelType HF {@code model_type} of the text decoder (after unwrapping multimodal wrappers)
 * @param headDim per-head dimension ({@code head_dim}, or hidden/heads when absent)
 * @param hiddenAct {@code silu} or {@code gelu_pytorch_tanh}
 * @param ropeScaling null for plain RoPE
 * @param layerTypes per layer {@code full_attention} or {@code sliding_attention}; null means all full
 * @param slidingWindow window of the sliding-attention layers (Gemma 3), else null
 * @param queryPreAttnScalar Gemma 3 attention scale is {@code queryPreAttnScalar^-0.5}; null means {@code headDim^-0.5}
 * @param ropeLocalTheta RoPE base of sliding layers (Gemma 3), else null
 * @param finalLogitSoftcapping tanh soft-cap of the logits, else null
 * @param attnLogitSoftcapping tanh soft-cap of attention scores, else null
 * @param eosTokenIds ids from config.json's {@code eos_token_id} (int or list)
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        int maxPositionEmbeddings,
        String hiddenAct,
        List<String> layerTypes,
        Integer slidingWindow,
        Double queryPreAttnScalar,
        Double ropeLocalTheta,
        Double finalLogitSoftcapping,
        Double attnLogitSoftcapping,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        Integer padTokenId) {

    public ModelConfig {
        require(vocabSize > 0, "vocab_size", vocabSize);
        require(hiddenSize > 0, "hidden_size", hiddenSize);
        require(intermediateSize > 0, "intermediate_size", intermediateSize);
        require(numLayers > 0, "num_hidden_layers", numLayers);
        require(numHeads > 0, "num_attention_heads", numHeads);
        require(numKvHeads > 0 && numHeads % numKvHeads == 0, "num_key_value_heads", numKvHeads);
        require(headDim > 0 && headDim % 2 == 0, "head_dim", headDim);
        require(rmsNormEps > 0, "rms_norm_eps", rmsNormEps);
        require(ropeTheta > 0, "rope_theta", ropeTheta);
        require(layerTypes == null || layerTypes.size() == numLayers, "layer_types", layerTypes);
        layerTypes = layerTypes == null ? null : List.copyOf(layerTypes);
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
    }

    /** True when layer {@code i} attends only inside {@link #slidingWindow()}. */
    public boolean isSlidingLayer(int i) {
        return layerTypes != null && "sliding_attention".equals(layerTypes.get(i));
    }

    public boolean isGemma3() {
        return "gemma3_text".equals(modelType);
    }

    public boolean isPhi3() {
        return "phi3".equals(modelType);
    }

    private static void require(boolean ok, String field, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("invalid model config field '" + field + "': " + value);
        }
    }

    /**
     * RoPE frequency scaling from {@code rope_scaling}: {@code linear} (divide positions by factor) or
     * {@code llama3} (wavelength-dependent smoothing of Llama 3.1/3.2).
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositionEmbeddings) {
        public RopeScaling {
            if (!"linear".equals(type) && !"llama3".equals(type) && !"default".equals(type)) {
                throw new IllegalArgumentException("unsupported rope_scaling.rope_type: " + type);
            }
        }
    }
}
