package io.subliminal.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Data type conversion that keeps the autograd graph. DJL's {@code NDArray.toType} runs its JNI {@code torchTo} under
 * a {@code NoGradGuard}, so its result has no grad_fn and gradients stop there. A slice assignment into an empty
 * array of the target type is PyTorch's {@code copy_}, which converts and is differentiable (CopySlices), exactly
 * like {@code x.to(dtype)} in Python. It is used while autograd records (grad mode on: DJL's {@code hasGradient} is
 * true only for leaves, so it cannot tell whether an intermediate array is part of a graph); otherwise the plain
 * conversion (one JNI call) does the same work.
 */
public final class Casts {

    private static final NDIndex ALL = new NDIndex(":");

    private Casts() {
    }

    /** {@code x} converted to {@code type}; {@code x} itself when it already has that type. */
    public static NDArray to(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        if (!JniUtils.isGradMode()) {
            return x.toType(type, false);
        }
        NDArray out = x.getManager().create(x.getShape(), type, x.getDevice());
        out.set(ALL, x);
        return out;
    }
}
