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

    /** Clips the gradients of {@code parameters} in place; returns the total norm before clipping. */
    public static double clipGlobalNorm(Collection<NDArray> parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max grad norm must be positive: " + maxNorm);
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList norms = new NDList();
            NDList grads = new NDList();
            for (NDArray p : parameters) {
                NDArray g = p.getGradient();
                grads.add(g);
                norms.add(g.norm());
            }
            NDArray total = NDArrays.stack(norms).norm();
            NDManager c = total.getManager();
            NDArray coef = c.full(new Shape(), (float) maxNorm).div(total.add(c.full(new Shape(), 1e-6f)));
            NDArray clamped = coef.minimum(c.full(new Shape(), 1f));
            for (NDArray g : grads) {
                g.muli(clamped);
            }
            return total.getFloat();
        }
    }
}
