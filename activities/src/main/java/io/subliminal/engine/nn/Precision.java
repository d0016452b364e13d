package io.subliminal.engine.nn;

import ai.djl.ndarray.types.DataType;

/**
 * Numeric precision of a {@link Transformer}.
 * {@link #FP32}: everything in float32 (the CPU choice). {@link #FP16_MIXED}: weights and matmuls in float16, with
 * the residual stream, norms, logits and loss in float32 and the attention softmax computed in float32 by PyTorch's
 * half-precision kernel (float16 scores in and probabilities out, as HF's float32 softmax of bf16 scores cast back);
 * the CUDA choice (bfloat16 does not exist in DJL).
 * FP16_MIXED trains LoRA adapters too (float32 parameters, casts through {@link Casts}, loss scaling in the trainer);
 * full finetuning needs FP32, since it updates the base weights themselves.
 */
public enum Precision {
    FP32(DataType.FLOAT32),
    FP16_MIXED(DataType.FLOAT16);

    private final DataType computeType;

    Precision(DataType computeType) {
        this.computeType = computeType;
    }

    /** The data type of weights, matmul inputs and the KV cache. */
    public DataType computeType() {
        return computeType;
    }
}
