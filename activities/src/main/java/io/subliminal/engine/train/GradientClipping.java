package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.Collection;

/**
 * Global-norm gradient clipping with torch {@code clip_grad_norm_} semantics (norm type 2): the total norm is the
 * 2-norm of the per-tensor 2-norms, and every gradient is multiplied in place by
 * {@code min(1, maxNorm / (total + 1e-6))}. (DJL's own optimizer clipping is element-wise and one-sided.)
 */
public final class GradientClipping {

    private GradientClipping() {
    }

    /** The global 2-norm of the gradients of {@code parameters} (no clipping). */
    public static double globalNorm(Collection<NDArray> parameters) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList norms = new NDList();
            for (NDArray p : parameters) {
                norms.add(p.getGradient().norm());
            }
            return NDArrays.stack(norms).norm().getFloat();
        }
    }

    /**
     * torch's clip coefficient {@code clamp(max_norm / (total_norm + 1e-6), max=1)} in the float32 arithmetic torch
     * uses on the device (a Python scalar divided by a tensor is {@code reciprocal(tensor) * scalar}).
     */
    public static float coefficient(double totalNorm, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max grad norm must be positive: " + maxNorm);
        }
        float c = (1f / ((float) totalNorm + 1e-6f)) * (float) maxNorm;
        return Math.min(c, 1f);
    }

    /** Clips the gradients of {@code parameters} in place; returns the total norm before clipping. */
    public static double clipGlobalNorm(Collection<NDArray> parameters, double maxNorm) {
        double total = globalNorm(parameters);
        float coefficient = coefficient(total, maxNorm);
        if (coefficient != 1f) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                for (NDArray p : parameters) {
                    NDArray g = p.getGradient();
                    g.muli(g.getManager().full(new Shape(), coefficient));
                }
            }
        }
        return total;
    }
}
