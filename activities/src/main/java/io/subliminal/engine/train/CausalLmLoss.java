package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.subliminal.engine.nn.Transformer;

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

    /**
     * The summed token loss (0-d float32) of {@code model} on {@code batch}: the same value as
     * {@link #sum(NDArray, LabelledBatch)} over the model's logits, but the LM head, log-softmax and their backward
     * run on the label positions only (no [B, T, V] logits, no backward through a slice of them).
     */
    public static NDArray sum(Transformer model, LabelledBatch batch) {
        int p = batch.predictedPositions();
        int cols = batch.tokens().cols();
        float[] w = batch.weights();
        int n = 0;
        for (float x : w) {
            n += x != 0f ? 1 : 0;
        }
        if (n == 0) {
            throw new IllegalArgumentException("the batch has no label positions: its loss is undefined");
        }
        long[] positions = new long[n];
        long[] targets = new long[n];
        float[] weights = new float[n];
        int j = 0;
        for (int i = 0; i < w.length; i++) {
            if (w[i] != 0f) {
                positions[j] = (long) (i / p) * cols + i % p; // predicted position (b, t) is input column t
                targets[j] = batch.targets()[i];
                weights[j] = w[i];
                j++;
            }
        }
        NDArray logits = model.logitsAt(batch.tokens(), positions); // [N, V]
        NDManager m = logits.getManager();
        NDArray target = nativeCopy(m.create(targets, new Shape(n, 1)));
        NDArray weight = nativeCopy(m.create(weights, new Shape(n)));
        NDArray picked = logits.logSoftmax(1).gather(target, 1).reshape(n);
        return picked.mul(weight).sum().neg();
    }

    private static NDArray nativeCopy(NDArray fromJava) {
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }
}
