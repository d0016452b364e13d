package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Token-level cross-entropy of a causal LM: {@code sum over label positions of -log softmax(logits[b, t])[target]}.
 * The sum (not the mean) is returned so the trainer can divide by the label count of the whole accumulation window
 * (PROTOCOL 7.1). Differentiable; all inputs created from Java memory are copied natively first.
 */
public final class CausalLmLoss {

    private CausalLmLoss() {
    }

    /** The summed token loss (0-d float32) of {@code logits} [B, T, V] against {@code batch}'s labels. */
    public static NDArray sum(NDArray logits, LabelledBatch batch) {
        int b = batch.rows();
        int p = batch.predictedPositions();
        long[] shape = logits.getShape().getShape();
        if (shape.length != 3 || shape[0] != b || shape[1] != p + 1) {
            throw new IllegalArgumentException("logits shape " + logits.getShape() + " does not match the batch ["
                    + b + ", " + (p + 1) + ", V]");
        }
        NDManager m = logits.getManager();
        NDArray targets = nativeCopy(m.create(batch.targets(), new Shape(b, p, 1)));
        NDArray weights = nativeCopy(m.create(batch.weights(), new Shape(b, p)));
        NDArray predicted = logits.get(new NDIndex().addAllDim().addSliceDim(0, p));
        NDArray logProbs = predicted.toType(DataType.FLOAT32, false).logSoftmax(2);
        NDArray picked = logProbs.gather(targets, 2).reshape(b, p);
        return picked.mul(weights).sum().neg();
    }

    private static NDArray nativeCopy(NDArray fromJava) {
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }
}
