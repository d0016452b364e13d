package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
 * such as LoRA A's right after init (see AdamWTest).
 *
 * <p>Few ops per step: the moments of all parameters live in one flat float32 buffer each, so an update is one
 * concatenation of the gradients, a dozen ops on the flat buffers and one in-place add per parameter, whatever the
 * number of parameters (a 7B model's LoRA has 392; per-parameter updates cost ~5,000 ops, about 100 ms on a GPU).
 * Every element sees the same arithmetic as the per-tensor form, so results are unchanged. The layout (parameter
 * names, order and shapes) is fixed by the first update or restore. State lives in its own manager, outside any
 * per-step scope.
 */
public final class AdamW implements AutoCloseable {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    /** Where a parameter lies in the flat buffers. */
    private record Slot(long offset, Shape shape) {
    }

    /** Parameter name to its slot, in update order; empty before the first update or restore. */
    private final Map<String, Slot> layout = new LinkedHashMap<>();
    /** Values in the flat buffers. */
    private long total;
    /** Offsets where each parameter after the first starts in the flat buffers (for the split of an update). */
    private long[] splitPoints;
    private NDArray m;
    private NDArray v;
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
        step(parameters, lr, 1f);
    }

    /**
     * Applies one update with learning rate {@code lr} to every parameter, using its current gradient times
     * {@code gradientFactor} (clipping and loss-scale removal folded into one multiply; the stored gradients are left
     * as they are).
     */
    public void step(Map<String, NDArray> parameters, double lr, float gradientFactor) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            step(parameters, flatGradients(parameters), lr, gradientFactor);
        }
    }

    /**
     * The gradients of {@code parameters} joined into one float32 vector in the parameters' order: the layout
     * {@link #step(Map, NDArray, double, float)} takes (one op for the global norm, one for the update).
     */
    public static NDArray flatGradients(Map<String, NDArray> parameters) {
        NDList flat = new NDList(parameters.size());
        for (NDArray p : parameters.values()) {
            flat.add(p.getGradient().reshape(-1));
        }
        return flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat, 0);
    }

    /** As {@link #step(Map, double, float)} with the gradients already joined by {@link #flatGradients}. */
    public void step(Map<String, NDArray> parameters, NDArray flatGradients, double lr, float gradientFactor) {
        fixLayout(parameters);
        if (flatGradients.getShape().size() != total) {
            throw new IllegalArgumentException("flat gradients have " + flatGradients.getShape().size()
                    + " values, the parameters " + total);
        }
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, steps));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDManager c = parameters.values().iterator().next().getManager();
            NDArray g = gradientFactor != 1f ? flatGradients.mul(constant(c, gradientFactor)) : flatGradients;
            if (m == null) {
                m = state(g.getShape());
                v = state(g.getShape());
            }
            m.addi(g.sub(m).muli(constant(c, 1 - beta1)));
            v.muli(constant(c, beta2)).addi(g.mul(g).muli(constant(c, 1 - beta2)));
            NDArray denom = v.sqrt().divi(constant(c, bc2Sqrt)).addi(constant(c, eps));
            NDArray update = m.div(denom).muli(constant(c, -lr / bc1));
            NDArray decay = weightDecay != 0 ? constant(c, 1 - lr * weightDecay) : null;
            NDList parts = parameters.size() == 1 ? new NDList(update) : update.split(splitPoints, 0);
            int i = 0;
            for (NDArray p : parameters.values()) {
                if (decay != null) {
                    p.muli(decay);
                }
                p.addi(parts.get(i++).reshape(p.getShape()));
            }
        }
    }

    /** Optimizer updates taken so far (torch's {@code state['step']}). */
    public long steps() {
        return steps;
    }

    /** exp_avg of a parameter, or null before its first update. */
    public float[] firstMoment(String name) {
        return slice(m, name);
    }

    /** exp_avg_sq of a parameter, or null before its first update. */
    public float[] secondMoment(String name) {
        return slice(v, name);
    }

    /** Replaces the state with saved values: the step count and, per parameter, exp_avg and exp_avg_sq. */
    public void restore(long steps, Map<String, float[]> firstMoments, Map<String, float[]> secondMoments,
                        Map<String, NDArray> parameters) {
        if (steps < 0) {
            throw new IllegalArgumentException("AdamW state 'step' is negative: " + steps);
        }
        clearState();
        if (steps > 0) {
            fixLayout(parameters);
            m = load(firstMoments, "exp_avg");
            v = load(secondMoments, "exp_avg_sq");
        }
        this.steps = steps;
    }

    /** Records the flat layout of {@code parameters}, or checks that they match the recorded one. */
    private void fixLayout(Map<String, NDArray> parameters) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("AdamW has no parameters to update");
        }
        if (layout.isEmpty()) {
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                Shape shape = e.getValue().getShape();
                layout.put(e.getKey(), new Slot(total, shape));
                total += shape.size();
            }
            splitPoints = layout.values().stream().skip(1).mapToLong(Slot::offset).toArray();
            return;
        }
        boolean same = List.copyOf(layout.keySet()).equals(List.copyOf(parameters.keySet()));
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            same &= e.getValue().getShape().equals(layout.get(e.getKey()).shape());
        }
        if (!same) {
            throw new IllegalArgumentException("AdamW was set up for parameters " + layout
                    + "; this update has a different set, order or shape");
        }
    }

    private float[] slice(NDArray flat, String name) {
        Slot slot = layout.get(name);
        if (flat == null || slot == null) {
            return null;
        }
        try (NDArray part = flat.get(new NDIndex().addSliceDim(slot.offset(), slot.offset() + slot.shape().size()))) {
            return part.toFloatArray();
        }
    }

    private NDArray load(Map<String, float[]> values, String kind) {
        float[] all = new float[Math.toIntExact(total)];
        for (Map.Entry<String, Slot> e : layout.entrySet()) {
            float[] data = values.get(e.getKey());
            Shape shape = e.getValue().shape();
            if (data == null) {
                throw new IllegalArgumentException("AdamW state has no " + kind + " for parameter '" + e.getKey() + "'");
            }
            if (data.length != shape.size()) {
                throw new IllegalArgumentException("AdamW " + kind + " of '" + e.getKey() + "' has " + data.length
                        + " values, parameter shape is " + Arrays.toString(shape.getShape()));
            }
            System.arraycopy(data, 0, all, Math.toIntExact(e.getValue().offset()), data.length);
        }
        return LoraAdapter.nativeCopy(manager, all, new Shape(total));
    }

    private NDArray state(Shape shape) {
        NDArray z = manager.zeros(shape, DataType.FLOAT32);
        NDScope.unregister(z); // state outlives the per-step scope
        return z;
    }

    private void clearState() {
        if (m != null) {
            m.close();
            v.close();
        }
        m = null;
        v = null;
    }

    private static NDArray constant(NDManager manager, double value) {
        return manager.full(new Shape(), (float) value);
    }

    @Override
    public void close() {
        clearState();
        manager.close();
    }
}
