package io.subliminal.engine.generate;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenChoiceTest {

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
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeContextLogits() {
        float[] values = {3f, 2f, 0f, -1f, -2f};
        long[] ids = {0, 1, 2, 3, 4};
        boolean[] context = {true, false, true, false, true};
        // penalised: 3/4 = 0.75, 2, 0, -1, -8  -> greedy picks id 1
        SamplingParams p = new SamplingParams(false, 1.0, 0, 1.0, 4.0, 1, java.util.List.of(), 0, 0);
        assertEquals(1, CandidateChooser.choose(values, ids, context, p, new SplittableRandom(1)));
        // without the context the largest wins
        assertEquals(0, CandidateChooser.choose(values, ids, new boolean[5], p, new SplittableRandom(1)));
    }

    @Test
    void greedyTiesGoToTheLowestIdLikeTorchArgmax() {
        SamplingParams p = SamplingParams.greedy(1, java.util.List.of(), 0);
        assertEquals(2, CandidateChooser.choose(new float[]{1f, 5f, 5f}, new long[]{7, 9, 2}, new boolean[10], p,
                new SplittableRandom(1)));
    }

    /** Choosing among the top k + |context| candidates equals choosing over the whole vocabulary. */
    @Test
    void candidatesGiveTheSameChoiceAsTheFullVocabulary() {
        SplittableRandom data = new SplittableRandom(3);
        int vocab = 300;
        for (int trial = 0; trial < 200; trial++) {
            float[] logits = new float[vocab];
            for (int i = 0; i < vocab; i++) {
                logits[i] = (float) (3 * data.nextGaussian());
            }
            boolean[] context = new boolean[vocab];
            int contextSize = 0;
            for (int i = 0; i < 40; i++) {
                int id = data.nextInt(vocab);
                contextSize += context[id] ? 0 : 1;
                context[id] = true;
            }
            SamplingParams p = new SamplingParams(trial % 2 == 0, 0.8, 20, 0.9, 1.3, 1, java.util.List.of(), 0, 0);
            int k = CandidateChooser.candidatesNeeded(p, contextSize, vocab);
            Integer[] order = new Integer[vocab];
            for (int i = 0; i < vocab; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
            float[] topValues = new float[k];
            long[] topIds = new long[k];
            for (int i = 0; i < k; i++) {
                topValues[i] = logits[order[i]];
                topIds[i] = order[i];
            }
            long[] allIds = new long[vocab];
            for (int i = 0; i < vocab; i++) {
                allIds[i] = i;
            }
            long seed = data.nextLong();
            assertEquals(CandidateChooser.choose(logits, allIds, context, p, new SplittableRandom(seed)),
                    CandidateChooser.choose(topValues, topIds, context, p, new SplittableRandom(seed)), "trial " + trial);
        }
    }

    @Test
    void topKKeepsTiesAtTheKthValue() {
        SamplingParams p = new SamplingParams(true, 1.0, 2, 1.0, 1.0, 1, java.util.List.of(), 0, 0);
        int[] counts = new int[4];
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 3000; i++) {
            counts[CandidateChooser.choose(new float[]{1f, 0.5f, 0.5f, -3f}, new long[]{0, 1, 2, 3}, new boolean[4], p, rng)]++;
        }
        assertTrue(counts[1] > 0 && counts[2] > 0, "both tied tokens stay candidates");
        assertEquals(0, counts[3]);
    }
}
