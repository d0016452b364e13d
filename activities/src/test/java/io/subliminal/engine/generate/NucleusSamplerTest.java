package io.subliminal.engine.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NucleusSamplerTest {

    private static float[] logitsOf(double... probs) {
        float[] l = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            l[i] = (float) Math.log(probs[i]);
        }
        return l;
    }

    @Test
    void topPDropsTheLowTailLikeHf() {
        float[] l = logitsOf(0.5, 0.3, 0.15, 0.05);
        // ascending cumulative: 0.05, 0.20, 0.50, 1.0; HF removes cumulative <= 1 - top_p
        assertEquals(2, NucleusSampler.keptByTopP(l, 0.8));  // 0.05 and 0.20 <= 0.2
        assertEquals(3, NucleusSampler.keptByTopP(l, 0.81)); // only 0.05 <= 0.19
        assertEquals(4, NucleusSampler.keptByTopP(l, 1.0));
        assertEquals(1, NucleusSampler.keptByTopP(l, 0.01)); // always keeps the largest
    }

    @Test
    void samplesFollowTheSoftmaxOfTheKeptTokens() {
        float[] l = logitsOf(0.5, 0.3, 0.15, 0.05);
        int n = 40000;
        double[] expectedAll = {0.5, 0.3, 0.15, 0.05};
        double[] expectedTopP = {0.5 / 0.8, 0.3 / 0.8, 0, 0};
        double[] expectedHot = softmax(l, 2.0);
        check(l, 1.0, 1.0, n, expectedAll);
        check(l, 1.0, 0.8, n, expectedTopP);
        check(l, 2.0, 1.0, n, expectedHot);
    }

    private static void check(float[] l, double temperature, double topP, int n, double[] expected) {
        SplittableRandom rng = new SplittableRandom(11);
        int[] counts = new int[l.length];
        for (int i = 0; i < n; i++) {
            counts[NucleusSampler.sample(l, temperature, topP, rng)]++;
        }
        for (int i = 0; i < l.length; i++) {
            assertEquals(expected[i], counts[i] / (double) n, 0.01, "token " + i + " T=" + temperature + " p=" + topP);
        }
    }

    private static double[] softmax(float[] l, double t) {
        double[] e = new double[l.length];
        double s = 0;
        for (int i = 0; i < l.length; i++) {
            e[i] = Math.exp(l[i] / t);
            s += e[i];
        }
        for (int i = 0; i < l.length; i++) {
            e[i] /= s;
        }
        return e;
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeSeenLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[]{2f, -2f, 0f, 3f, -1f}, new Shape(1, 5));
            NDArray seen = m.create(new boolean[]{true, true, true, false, false}, new Shape(1, 5));
            NDArray out = RepetitionPenalty.apply(logits, seen, m.full(new Shape(), 2f, DataType.FLOAT32),
                    m.full(new Shape(), 0f, DataType.FLOAT32));
            assertArrayEquals(new float[]{1f, -4f, 0f, 3f, -1f}, out.toFloatArray());
        }
    }
}
