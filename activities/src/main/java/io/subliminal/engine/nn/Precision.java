package io.subliminal.engine.nn;

import ai.djl.ndarray.types.DataType;

/**
 * Numeric precision of a {@link Transformer}.
 * {@link #FP32}: everything in float32 (the CPU choice). {@link #FP16_MIXED}: weights and matmuls in float16, with
 * the residual stream, norms, softmax and logits in float32 (the CUDA choice; bfloat16 does not exist in DJL).
 * FP16_MIXED is for inference: DJL's dtype casts do not carry gradients, so training uses FP32.
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
