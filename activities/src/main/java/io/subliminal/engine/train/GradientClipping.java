package io.subliminal.engine.train;

/**
 * Global-norm gradient clipping with torch {@code clip_grad_norm_} semantics (norm type 2): every gradient is
 * multiplied by {@code min(1, maxNorm / (total + 1e-6))}, where the total is the 2-norm of all gradients together
 * (the trainer takes it over {@link AdamW#flatGradients} in one op, and the optimizer applies the factor as it reads
 * the gradients). DJL's own optimizer clipping is element-wise and one-sided.
 */
public final class GradientClipping {

    private GradientClipping() {
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
}
