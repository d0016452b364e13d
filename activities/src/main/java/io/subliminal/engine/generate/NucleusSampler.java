package io.subliminal.engine.generate;

import java.util.SplittableRandom;

/**
 * The host-side end of HF's sampling pipeline for one row, given the row's top-k candidates (largest first, already
 * repetition-penalised on the device): temperature, then {@code TopPLogitsWarper} (sort ascending, softmax,
 * cumulative sum, drop tokens whose cumulative probability is {@code <= 1 - top_p}, always keep the largest), then
 * a draw from the softmax of what is left. The draw is Gumbel-max ({@code argmax(l_i + G_i)}, {@code G = -log(-log U)}),
 * which has exactly the softmax distribution; DJL has no multinomial. Arithmetic is float32 like torch.
 */
public final class NucleusSampler {

    private NucleusSampler() {
    }

    /** The index (into {@code valuesDesc}) of the sampled candidate; one uniform draw per candidate. */
    public static int sample(float[] valuesDesc, double temperature, double topP, SplittableRandom rng) {
        float[] scaled = scaled(valuesDesc, temperature);
        int keep = keptByTopP(scaled, topP);
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < scaled.length; i++) {
            double u = rng.nextDouble();
            if (i >= keep) {
                continue;
            }
            while (u == 0.0) {
                u = rng.nextDouble();
            }
            double score = scaled[i] - Math.log(-Math.log(u));
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    static float[] scaled(float[] valuesDesc, double temperature) {
        float[] out = valuesDesc.clone();
        if (temperature != 1.0) {
            float t = (float) temperature;
            for (int i = 0; i < out.length; i++) {
                out[i] = out[i] / t;
            }
        }
        return out;
    }

    /** How many of the descending candidates survive top-p (at least one). */
    static int keptByTopP(float[] valuesDesc, double topP) {
        int n = valuesDesc.length;
        if (topP >= 1.0) {
            return n;
        }
        float max = valuesDesc[0];
        float sum = 0f;
        float[] exp = new float[n];
        for (int i = n - 1; i >= 0; i--) {
            exp[i] = (float) Math.exp(valuesDesc[i] - max);
            sum += exp[i];
        }
        float threshold = (float) (1 - topP);
        float cumulative = 0f;
        int removed = 0;
        for (int i = n - 1; i >= 1; i--) { // ascending order; the largest (i = 0) is always kept
            cumulative += exp[i] / sum;
            if (cumulative <= threshold) {
                removed++;
            } else {
                break;
            }
        }
        return n - removed;
    }
}
