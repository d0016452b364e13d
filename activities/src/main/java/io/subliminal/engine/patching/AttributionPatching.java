package io.subliminal.engine.patching;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;

/**
 * Attribution patching of one decoder layer's output (PROTOCOL.md §11.2 steps 7-9), integrated-gradients style:
 * <pre>
 *   h'(a)   = h_clean + a (h_patch - h_clean)                      the layer's output, replaced in the clean run
 *   g(a)    = dm/dh' at h'(a)                                      layers l+1..L, final norm, LM head, then m
 *   A[p, t] = sum_d (h_patch - h_clean)[p, t, d] * (1/N) sum_{k<N} g(k/N)[p, t, d]      (left Riemann sum)
 * </pre>
 * so that {@code sum_{p,t} A ~ m(h_patch) - m(h_clean)} (completeness, exact as N grows). m is the
 * {@link LogitDifference} over the batch's rows, so the gradient carries its 1/rows factor.
 *
 * <p>DJL: gradients flow into a fresh leaf copy of h' inside a {@link GradientCollector} (one per JVM at a time, so
 * calls must not overlap with training in the same process); scalars are native 0-d arrays, never {@code op(Number)};
 * every evaluation runs in its own scope. Not thread-safe.
 */
public final class AttributionPatching {

    private final Transformer model;

    public AttributionPatching(Transformer model) {
        this.model = model;
    }

    /** m of the run over {@code batch} whose layer {@code layer} outputs {@code output} (no autograd). */
    public double metric(TokenBatch batch, int layer, NDArray output, LogitDifference metric) {
        try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = model.logitsAfterLayer(batch, layer, output, metric.flatPositions(batch.cols()));
            return metric.of(logits, model.manager()).getFloat();
        }
    }

    /** m and its gradient with respect to layer {@code layer}'s output, evaluated at {@code output}. */
    public Gradient gradient(TokenBatch batch, int layer, NDArray output, LogitDifference metric) {
        long[] positions = metric.flatPositions(batch.cols());
        NDArray grad;
        float value;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray leaf = output.toType(DataType.FLOAT32, true);
            leaf.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray m = metric.of(model.logitsAfterLayer(batch, layer, leaf, positions), model.manager());
                collector.backward(m);
                value = m.getFloat();
            }
            grad = leaf.getGradient().duplicate();
            NDScope.unregister(grad);
        }
        NDScope.register(grad);
        return new Gradient(value, grad);
    }

    /**
     * A {@code [rows, T]} of layer {@code layer} with {@code steps} interpolation steps a = 0, 1/N, ..., (N-1)/N
     * (the original: N = 10).
     *
     * @param clean the layer's output in the run over {@code batch} {@code [rows, T, hidden]}
     * @param patch the layer's output in the patch run, aligned position by position with {@code clean}
     */
    public float[][] attribution(TokenBatch batch, int layer, NDArray clean, NDArray patch, LogitDifference metric, int steps) {
        if (steps <= 0) {
            throw new IllegalArgumentException("interpolation steps must be > 0, got " + steps);
        }
        if (!clean.getShape().equals(patch.getShape())) {
            throw new IllegalArgumentException("clean " + clean.getShape() + " and patch " + patch.getShape() + " outputs differ in shape");
        }
        float[] values;
        try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray cleanF = clean.toType(DataType.FLOAT32, false);
            NDArray delta = patch.toType(DataType.FLOAT32, false).sub(cleanF);
            NDArray gradSum = null;
            for (int k = 0; k < steps; k++) {
                try (NDScope stepScope = new NDScope()) {
                    stepScope.suppressNotUsedWarning();
                    NDArray alpha = model.manager().full(new Shape(), (float) k / steps, DataType.FLOAT32);
                    NDArray replaced = cleanF.add(delta.mul(alpha));
                    Gradient g = gradient(batch, layer, replaced, metric);
                    NDArray next = gradSum == null ? g.gradient() : gradSum.add(g.gradient());
                    NDScope.unregister(next);
                    if (gradSum != null) {
                        gradSum.close();
                    }
                    gradSum = next;
                }
                NDScope.register(gradSum);
            }
            NDArray n = model.manager().full(new Shape(), (float) steps, DataType.FLOAT32);
            values = delta.mul(gradSum.div(n)).sum(new int[]{2}).toFloatArray();
        }
        int rows = (int) clean.getShape().get(0);
        int columns = (int) clean.getShape().get(1);
        float[][] a = new float[rows][columns];
        for (int p = 0; p < rows; p++) {
            System.arraycopy(values, p * columns, a[p], 0, columns);
        }
        return a;
    }

    /**
     * m at one point and dm/d(layer output) there.
     *
     * @param gradient {@code [rows, T, hidden]} float32, registered in the caller's scope
     */
    public record Gradient(double metric, NDArray gradient) {
    }
}
