package io.subliminal.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * An additive change to one projection of a {@link Transformer}: the projection's output becomes
 * {@code y + delta(x)}, where {@code x} is the projection's input {@code [B, T, in]} and the delta has shape
 * {@code [B, T, out]} (for a fused weight, {@code out} is the addressed part's width). LoRA is
 * {@code delta(x) = (x A^T) B^T * alpha / r}.
 */
@FunctionalInterface
public interface Adapter {

    NDArray delta(NDArray x);
}
