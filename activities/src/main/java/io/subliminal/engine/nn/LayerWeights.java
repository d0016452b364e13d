package io.subliminal.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * Device tensors of one decoder layer, with q/k/v and gate/up fused into single matrices ({@code [q; k; v]} rows and
 * {@code [gate; up]} rows, the layout of Phi-3). Norm weights are float32 and hold HF's raw values (Gemma's
 * {@code 1 + w} is applied in the forward). Biases and the Gemma-only tensors are null when absent.
 *
 * @param prefix HF module path of the layer, e.g. {@code model.layers.3.}
 * @param attnNormIn {@code input_layernorm}
 * @param attnNormOut Gemma's {@code post_attention_layernorm} (sandwich), else null
 * @param mlpNormIn Gemma's {@code pre_feedforward_layernorm}, else {@code post_attention_layernorm}
 * @param mlpNormOut Gemma's {@code post_feedforward_layernorm}, else null
 * @param sliding whether this layer attends within the sliding window
 */
record LayerWeights(
        String prefix,
        NDArray attnNormIn,
        NDArray qkv,
        NDArray qkvBias,
        NDArray qNorm,
        NDArray kNorm,
        NDArray o,
        NDArray oBias,
        NDArray attnNormOut,
        NDArray mlpNormIn,
        NDArray gateUp,
        NDArray gateUpBias,
        NDArray down,
        NDArray downBias,
        NDArray mlpNormOut,
        boolean sliding) {
}
