package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with torch semantics ({@code torch.optim.AdamW}, single-tensor path), in place on float32 parameters:
 * <pre>
 *   p   = p * (1 - lr * wd)
 *   m   = lerp(m, g, 1 - beta1)            v = beta2 * v + (1 - beta2) * g * g
 *   p   = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Written by hand rather than with DJL's fused {@code Optimizer.adamW()} for two reasons: the moments and the step
 * count must be checkpointed and restored exactly (the fused one keeps them private), and DJL adds eps before the
 * second-moment bias correction (effective eps ~32x larger at step 1), which changes updates of tiny gradients
 * such as LoRA A's right after init (see AdamWTest). The cost is ~10 ms per step.
 * State lives in its own manager, outside any per-step scope.
 */
public final class AdamW implements AutoCloseable {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long steps;

    public AdamW(double beta1, double beta2, double eps, double weightDecay, NDManager parent) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW betas must be in [0, 1): " + beta1 + ", " + beta2);
        }
        if (!(eps > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("AdamW needs eps > 0 and weight_decay >= 0: " + eps + ", " + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.manager = parent.newSubManager();
    }

    /** torch defaults as used by the HF Trainer: betas (0.9, 0.999), eps 1e-8, weight decay 0. */
    public static AdamW torchDefaults(NDManager parent) {
        return new AdamW(0.9, 0.999, 1e-8, 0.0, parent);
    }

    /** Applies one update with learning rate {@code lr} to every parameter, using its current gradient. */
    public void step(Map<String, NDArray> parameters, double lr) {
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, steps));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDManager c = parameters.values().iterator().next().getManager();
            NDArray decay = constant(c, 1 - lr * weightDecay);
            NDArray oneMinusBeta1 = constant(c, 1 - beta1);
            NDArray beta2c = constant(c, beta2);
            NDArray oneMinusBeta2 = constant(c, 1 - beta2);
            NDArray bc2 = constant(c, bc2Sqrt);
            NDArray epsC = constant(c, eps);
            NDArray negStep = constant(c, -lr / bc1);
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                String name = e.getKey();
                NDArray p = e.getValue();
                NDArray g = p.getGradient();
                NDArray mi = m.computeIfAbsent(name, k -> zerosLike(p));
                NDArray vi = v.computeIfAbsent(name, k -> zerosLike(p));
                if (weightDecay != 0) {
                    p.muli(decay);
                }
                mi.addi(g.sub(mi).muli(oneMinusBeta1));
                vi.muli(beta2c).addi(g.mul(g).muli(oneMinusBeta2));
                NDArray denom = vi.sqrt().divi(bc2).addi(epsC);
                p.addi(mi.div(denom).muli(negStep));
            }
        }
    }

    /** Optimizer updates taken so far (torch's {@code state['step']}). */
    public long steps() {
        return steps;
    }

    /** exp_avg of a parameter, or null before its first update. */
    public NDArray firstMoment(String name) {
        return m.get(name);
    }

    /** exp_avg_sq of a parameter, or null before its first update. */
    public NDArray secondMoment(String name) {
        return v.get(name);
    }

    /** Replaces the state with saved values: the step count and, per parameter, exp_avg and exp_avg_sq. */
    public void restore(long steps, Map<String, float[]> firstMoments, Map<String, float[]> secondMoments,
                        Map<String, NDArray> parameters) {
        if (steps < 0) {
            throw new IllegalArgumentException("AdamW state 'step' is negative: " + steps);
        }
        m.values().forEach(NDArray::close);
        v.values().forEach(NDArray::close);
        m.clear();
        v.clear();
        if (steps > 0) {
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                Shape shape = e.getValue().getShape();
                m.put(e.getKey(), load(firstMoments, "exp_avg", e.getKey(), shape));
                v.put(e.getKey(), load(secondMoments, "exp_avg_sq", e.getKey(), shape));
            }
        }
        this.steps = steps;
    }

    private NDArray load(Map<String, float[]> values, String kind, String name, Shape shape) {
        float[] data = values.get(name);
        if (data == null) {
            throw new IllegalArgumentException("AdamW state has no " + kind + " for parameter '" + name + "'");
        }
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("AdamW " + kind + " of '" + name + "' has " + data.length
                    + " values, parameter shape is " + Arrays.toString(shape.getShape()));
        }
        return LoraAdapter.nativeCopy(manager, data, shape);
    }

    private NDArray zerosLike(NDArray p) {
        NDArray z = manager.zeros(p.getShape(), DataType.FLOAT32, p.getDevice());
        NDScope.unregister(z); // state outlives the per-step scope
        return z;
    }

    private static NDArray constant(NDManager manager, double value) {
        return manager.full(new Shape(), (float) value);
    }

    @Override
    public void close() {
        manager.close();
    }
}
