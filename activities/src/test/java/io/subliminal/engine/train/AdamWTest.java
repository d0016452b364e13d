package io.subliminal.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AdamW and clipping against values computed by hand from the torch formulas. */
class AdamWTest {

    /** Sets p's gradient to {@code grad} via backward of sum(p * grad). */
    private static void setGradient(NDArray p, float[] grad) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray c = p.getManager().create(grad).reshape(p.getShape()).duplicate();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(p.mul(c).sum());
            }
        }
    }

    @Test
    void twoStepsMatchHandComputedTorchAdamW() {
        double lr = 0.1;
        double wd = 0.01;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double[] p = {1.0, -2.0, 0.5};
        double[][] grads = {{0.1, -0.2, 0.3}, {-0.05, 0.4, 0.3}};
        try (NDManager manager = NDManager.newBaseManager();
             AdamW adam = new AdamW(b1, b2, eps, wd, manager)) {
            NDArray param = manager.create(new float[] {1f, -2f, 0.5f}).duplicate();
            param.setRequiresGradient(true);
            double[] m = new double[3];
            double[] v = new double[3];
            for (int t = 1; t <= 2; t++) {
                double[] g = grads[t - 1];
                setGradient(param, new float[] {(float) g[0], (float) g[1], (float) g[2]});
                adam.step(Map.of("w", param), lr);
                ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) param);
                for (int i = 0; i < 3; i++) {
                    p[i] *= 1 - lr * wd;
                    m[i] = b1 * m[i] + (1 - b1) * g[i];
                    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                    double mHat = m[i] / (1 - Math.pow(b1, t));
                    double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                    p[i] -= lr * mHat / denom;
                }
                float[] got = param.toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertEquals(p[i], got[i], 1e-6, "param " + i + " after step " + t);
                }
            }
            assertEquals(2, adam.steps());
            assertEquals(m[1], adam.firstMoment("w")[1], 1e-7);
            assertEquals(v[2], adam.secondMoment("w")[2], 1e-9);
        }
    }

    /**
     * Why this AdamW is hand-written: DJL's fused {@code Optimizer.adamW()} agrees with torch for ordinary gradients,
     * but adds eps to sqrt(v) before the bias correction (torch: {@code sqrt(v) / sqrt(1 - beta2^t) + eps}), i.e. its
     * effective eps is 1/sqrt(1 - beta2^t) times larger (about 32x at step 1). For tiny gradients (LoRA A right
     * after init, when B is still near zero) the updates then differ visibly.
     */
    @Test
    void djlFusedAdamWDiffersOnlyInEpsPlacement() {
        float[][] grads = {{0.1f, -0.2f, 0.3f, 1e-4f}, {-0.05f, 0.4f, 0.3f, -2f}, {0.2f, 0.1f, -0.3f, 0.5f}};
        double lr = 0.01;
        double wd = 0.1;
        try (NDManager manager = NDManager.newBaseManager();
             AdamW adam = new AdamW(0.9, 0.999, 1e-8, wd, manager)) {
            NDArray mine = manager.create(new float[] {1f, -2f, 0.5f, 0.25f}).duplicate();
            mine.setRequiresGradient(true);
            NDArray theirs = manager.create(new float[] {1f, -2f, 0.5f, 0.25f}).duplicate();
            ai.djl.training.optimizer.Optimizer djl = ai.djl.training.optimizer.Optimizer.adamW()
                    .optLearningRateTracker(ai.djl.training.tracker.Tracker.fixed((float) lr))
                    .optWeightDecays((float) wd).build();
            for (float[] g : grads) {
                setGradient(mine, g);
                adam.step(Map.of("w", mine), lr);
                ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) mine);
                try (NDArray grad = manager.create(g)) {
                    djl.update("w", theirs, grad);
                }
            }
            float[] a = mine.toFloatArray();
            float[] b = theirs.toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(b[i], a[i], 2e-6, "param " + i + " (ordinary gradients)");
            }
            // param 3 saw a 1e-4 gradient at step 1: sqrt(v) = 3.2e-6 is not large against eps = 1e-8 in DJL's form
            assertTrue(Math.abs(a[3] - b[3]) > 1e-5, "tiny-gradient parameter: " + a[3] + " vs DJL " + b[3]);
        }
    }

    /** The flat multi-parameter update equals updating each parameter alone, bit for bit, with a folded factor. */
    @Test
    void flatUpdateOfManyParametersEqualsPerParameterUpdates() {
        float[][] shapesAndGrads = {{0.3f, -0.1f, 0.7f, 0.2f, -0.4f, 0.05f}, {1e-4f, -2f}};
        try (NDManager manager = NDManager.newBaseManager();
             AdamW together = new AdamW(0.9, 0.999, 1e-8, 0.1, manager);
             AdamW aloneA = new AdamW(0.9, 0.999, 1e-8, 0.1, manager);
             AdamW aloneB = new AdamW(0.9, 0.999, 1e-8, 0.1, manager)) {
            NDArray a = manager.create(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, new ai.djl.ndarray.types.Shape(2, 3)).duplicate();
            NDArray b = manager.create(new float[] {-1f, 0.5f}).duplicate();
            NDArray a2 = a.duplicate();
            NDArray b2 = b.duplicate();
            for (NDArray p : List.of(a, b, a2, b2)) {
                p.setRequiresGradient(true);
            }
            for (int step = 1; step <= 3; step++) {
                float factor = step == 2 ? 0.25f : 1f;
                float[] ga = shapesAndGrads[0].clone();
                float[] gb = shapesAndGrads[1].clone();
                for (int i = 0; i < ga.length; i++) {
                    ga[i] *= step;
                }
                setGradient(a, ga);
                setGradient(b, gb);
                java.util.Map<String, NDArray> both = new java.util.LinkedHashMap<>();
                both.put("a", a);
                both.put("b", b);
                together.step(both, 0.01, factor);
                // alone: the factor applied to the gradients first, as clipping would
                float[] sa = ga.clone();
                float[] sb = gb.clone();
                for (int i = 0; i < sa.length; i++) {
                    sa[i] *= factor;
                }
                for (int i = 0; i < sb.length; i++) {
                    sb[i] *= factor;
                }
                setGradient(a2, sa);
                setGradient(b2, sb);
                aloneA.step(Map.of("a", a2), 0.01);
                aloneB.step(Map.of("b", b2), 0.01);
                for (NDArray p : List.of(a, b, a2, b2)) {
                    ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p);
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(a2.toFloatArray(), a.toFloatArray(), "a after " + step);
                org.junit.jupiter.api.Assertions.assertArrayEquals(b2.toFloatArray(), b.toFloatArray(), "b after " + step);
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(aloneB.secondMoment("b"), together.secondMoment("b"));
            // the layout is fixed by the first update
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> together.step(Map.of("a", a), 0.01));
            assertTrue(e.getMessage().contains("different set"), e.getMessage());
        }
    }

    @Test
    void clippingUsesTheGlobalNormLikeTorch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {3f, 0f}).duplicate();
            NDArray b = manager.create(new float[] {0f, 4f, 0f}).duplicate();
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            setGradient(a, new float[] {3f, 0f});
            setGradient(b, new float[] {0f, 4f, 12f});
            java.util.Map<String, NDArray> params = new java.util.LinkedHashMap<>();
            params.put("a", a);
            params.put("b", b);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray flat = AdamW.flatGradients(params);
                org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {3f, 0f, 0f, 4f, 12f}, flat.toFloatArray());
                assertEquals(13.0, flat.norm().getFloat(), 1e-5); // the 2-norm of all gradients together
            }
            assertEquals((float) (1.0 / (13.0 + 1e-6)), GradientClipping.coefficient(13.0, 1.0), 1e-9);
            // below the threshold the gradients are unchanged (coefficient clamped to 1)
            assertEquals(1f, GradientClipping.coefficient(13.0, 20.0));
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> GradientClipping.coefficient(1.0, 0.0));
            assertTrue(e.getMessage().contains("max grad norm"), e.getMessage());
        }
    }
}
