package io.subliminal.engine.patching;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attribution patching on tiny random models of every family: the replaced-layer forward, its gradient against
 * finite differences, and integrated-gradients completeness (sum of A = m(patch) - m(clean) up to the Riemann error).
 */
class AttributionPatchingTest {

    static List<String> families() {
        return TinyModels.FAMILIES;
    }

    /** A clean row and two patch rows that differ from it at positions 2-3 (like the system-prompt animal tokens). */
    private record Case(TokenBatch all, TokenBatch clean, LogitDifference metric) {
    }

    private static Case fixture(ModelConfig c) {
        int[] clean = TinyModels.randomSequences(c, 11, 9).get(0);
        int[] patchA = clean.clone();
        int[] patchB = clean.clone();
        patchA[2] = (clean[2] + 1) % c.vocabSize();
        patchA[3] = (clean[3] + 5) % c.vocabSize();
        patchB[2] = (clean[2] + 17) % c.vocabSize();
        patchB[3] = (clean[3] + 23) % c.vocabSize();
        return new Case(TokenBatch.leftPadded(List.of(clean, patchA, patchB), 0),
                TokenBatch.leftPadded(List.of(clean, clean), 0),
                new LogitDifference(new int[]{6, 8}, new int[]{5, 7}, new int[]{9, 1}));
    }

    private static NDArray rows(NDArray all, int... which) {
        NDList picked = new NDList();
        for (int r : which) {
            picked.add(all.get(r));
        }
        return NDArrays.stack(picked, 0);
    }

    private static double dot(NDArray a, NDArray b) {
        return a.toType(DataType.FLOAT64, false).mul(b.toType(DataType.FLOAT64, false)).sum().getDouble();
    }

    @ParameterizedTest
    @MethodSource("families")
    void replacingALayerWithItsOwnOutputReproducesTheForward(String family) {
        ModelConfig c = TinyModels.config(family);
        Case k = fixture(c);
        try (Transformer model = Transformer.load(TinyModels.random(family, 3), Device.cpu(), Precision.FP32);
             NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<NDArray> outputs = model.layerOutputs(k.all());
            assertEquals(c.numLayers(), outputs.size());
            float[] logits = model.logits(k.all()).toFloatArray();
            assertClose(logits, model.readout(outputs.get(c.numLayers() - 1)).toFloatArray(), 1e-5f, "readout of the last layer");
            long[] positions = {4, 9 + 6, 2 * 9 + 8};
            for (int layer = 0; layer < c.numLayers(); layer++) {
                float[] patched = model.logitsAfterLayer(k.all(), layer, outputs.get(layer), positions).toFloatArray();
                for (int i = 0; i < positions.length; i++) {
                    for (int v = 0; v < c.vocabSize(); v++) {
                        assertEquals(logits[(int) positions[i] * c.vocabSize() + v], patched[i * c.vocabSize() + v], 1e-4,
                                family + " layer " + layer + " position " + positions[i]);
                    }
                }
            }
        }
    }

    /**
     * In FP16_MIXED (the GPU precision) the gradient passes the float16 attention and MLP blocks of later layers too,
     * not only the float32 residual stream: it matches float32 to float16 accuracy.
     */
    @ParameterizedTest
    @MethodSource("families")
    void float16GradientMatchesFloat32(String family) {
        ModelConfig c = TinyModels.config(family);
        Case k = fixture(c);
        float[][] grads = new float[2][];
        Precision[] precisions = {Precision.FP32, Precision.FP16_MIXED};
        for (int i = 0; i < 2; i++) {
            try (Transformer model = Transformer.load(TinyModels.random(family, 3), Device.cpu(), precisions[i]);
                 NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray clean = rows(model.layerOutputs(k.all()).get(0), 0, 0);
                grads[i] = new AttributionPatching(model).gradient(k.clean(), 0, clean, k.metric()).gradient()
                        .toFloatArray();
            }
        }
        double diff = 0;
        double norm = 0;
        for (int j = 0; j < grads[0].length; j++) {
            diff += (grads[0][j] - grads[1][j]) * (double) (grads[0][j] - grads[1][j]);
            norm += grads[0][j] * (double) grads[0][j];
        }
        assertTrue(norm > 0, family);
        assertTrue(Math.sqrt(diff / norm) < 2e-2, family + ": relative error of the float16 gradient "
                + Math.sqrt(diff / norm));
    }

    @ParameterizedTest
    @MethodSource("families")
    void gradientMatchesFiniteDifferencesOfTheMetric(String family) {
        ModelConfig c = TinyModels.config(family);
        Case k = fixture(c);
        try (Transformer model = Transformer.load(TinyModels.random(family, 3), Device.cpu(), Precision.FP32);
             NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            AttributionPatching patching = new AttributionPatching(model);
            List<NDArray> outputs = model.layerOutputs(k.all());
            NDArray eps = model.manager().full(new Shape(), 1e-3f, DataType.FLOAT32);
            for (int layer = 0; layer < c.numLayers(); layer++) {
                NDArray clean = rows(outputs.get(layer), 0, 0);
                NDArray delta = rows(outputs.get(layer), 1, 2).sub(clean);
                AttributionPatching.Gradient g = patching.gradient(k.clean(), layer, clean, k.metric());
                assertEquals(patching.metric(k.clean(), layer, clean, k.metric()), g.metric(), 1e-5);
                double analytic = dot(g.gradient(), delta);
                double plus = patching.metric(k.clean(), layer, clean.add(delta.mul(eps)), k.metric());
                double minus = patching.metric(k.clean(), layer, clean.sub(delta.mul(eps)), k.metric());
                double numeric = (plus - minus) / 2e-3;
                assertEquals(analytic, numeric, 1e-2 * Math.max(1.0, Math.abs(analytic)),
                        family + " layer " + layer + ": directional derivative along h_patch - h_clean");
                // causal attention: row p's metric reads positions <= its metric position only, and m averages rows
                float[] grad = g.gradient().toFloatArray();
                int hidden = c.hiddenSize();
                for (int p = 0; p < 2; p++) {
                    for (int t = 0; t < 9; t++) {
                        double norm = 0;
                        for (int d = 0; d < hidden; d++) {
                            norm += Math.abs(grad[(p * 9 + t) * hidden + d]);
                        }
                        if (t > k.metric().positions()[p]) {
                            assertEquals(0.0, norm, 0.0, family + " row " + p + " position " + t + " is after the metric");
                        } else if (t == k.metric().positions()[p]) {
                            assertTrue(norm > 0, family + " the metric position itself has a gradient");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void integratedGradientsAddUpToTheMetricChange(String family) {
        ModelConfig c = TinyModels.config(family);
        Case k = fixture(c);
        try (Transformer model = Transformer.load(TinyModels.random(family, 3), Device.cpu(), Precision.FP32);
             NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            AttributionPatching patching = new AttributionPatching(model);
            List<NDArray> outputs = model.layerOutputs(k.all());
            for (int layer = 0; layer < c.numLayers(); layer++) {
                NDArray clean = rows(outputs.get(layer), 0, 0);
                NDArray patch = rows(outputs.get(layer), 1, 2);
                NDArray delta = patch.sub(clean);
                double change = patching.metric(k.clean(), layer, patch, k.metric())
                        - patching.metric(k.clean(), layer, clean, k.metric());
                for (int steps : new int[]{10, 40}) {
                    float[][] a = patching.attribution(k.clean(), layer, clean, patch, k.metric(), steps);
                    double sum = 0;
                    for (float[] row : a) {
                        for (int t = 0; t < row.length; t++) {
                            sum += row[t];
                            if (t < 2) {
                                assertEquals(0.0, row[t], 0.0, "positions before the first differing token have h_patch = h_clean");
                            }
                        }
                    }
                    // g(a) = dm/dh'(a) . delta at a = 0, 1/N, ..., 1
                    double[] g = new double[steps + 1];
                    for (int s = 0; s <= steps; s++) {
                        NDArray alpha = model.manager().full(new Shape(), (float) s / steps, DataType.FLOAT32);
                        g[s] = dot(patching.gradient(k.clean(), layer, clean.add(delta.mul(alpha)), k.metric()).gradient(), delta);
                    }
                    double left = 0;
                    double variation = 0;
                    for (int s = 0; s < steps; s++) {
                        left += g[s] / steps;
                        variation += Math.abs(g[s + 1] - g[s]) / steps;
                    }
                    assertEquals(left, sum, 1e-4 * Math.max(1.0, Math.abs(left)), family + " layer " + layer
                            + ": sum of A is the left Riemann sum of g over " + steps + " steps");
                    // m(1) - m(0) = integral of g; a left Riemann sum misses it by at most the variation of g over each
                    // step times the step width (g is monotone within a step at this resolution)
                    assertTrue(Math.abs(sum - change) <= variation + 1e-4 * Math.max(1.0, Math.abs(change)),
                            family + " layer " + layer + " steps " + steps + ": sum of A " + sum + " vs m(patch) - m(clean) "
                                    + change + ", Riemann bound " + variation);
                }
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, float tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + " at " + i);
        }
    }
}
