package io.subliminal.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses one row's next token from its largest logits, with HF's processors in HF's order: repetition penalty
 * ({@code RepetitionPenaltyLogitsProcessor}: for ids in the row's context a logit {@code < 0} is multiplied by the
 * penalty, any other divided, in float32), then greedy argmax (ties to the lowest id, like torch) or temperature,
 * top-k ({@code TopKLogitsWarper}: keep logits {@code >=} the k-th largest), top-p and a Gumbel-max draw
 * ({@link NucleusSampler}).
 *
 * <p>Why candidates suffice: a penalty {@code >= 1} only lowers context logits, so the top k after the penalty lie
 * among the top {@code k + |context|} before it. The {@link Sampler} asks the device for that many (or the whole
 * vocabulary when the penalty is {@code < 1}).
 */
final class CandidateChooser {

    private CandidateChooser() {
    }

    /** How many of the largest logits a row needs for an exact choice. */
    static int candidatesNeeded(SamplingParams p, int contextSize, int vocab) {
        int k = !p.doSample() ? 1 : p.topK() == 0 ? vocab : p.topK();
        if (p.repetitionPenalty() < 1.0) {
            return vocab;
        }
        long need = (long) k + (p.repetitionPenalty() > 1.0 ? contextSize : 0);
        return (int) Math.min(vocab, need);
    }

    /**
     * @param values candidate logits, any order
     * @param ids their token ids
     * @param context true for ids in the row's context (prompt with its padding, and generated tokens)
     */
    static int choose(float[] values, long[] ids, boolean[] context, SamplingParams p, SplittableRandom rng) {
        int n = values.length;
        float[] v = values.clone();
        if (p.repetitionPenalty() != 1.0) {
            float penalty = (float) p.repetitionPenalty();
            for (int i = 0; i < n; i++) {
                if (context[(int) ids[i]]) {
                    v[i] = v[i] < 0 ? v[i] * penalty : v[i] / penalty;
                }
            }
        }
        Integer[] order = new Integer[n];
        boolean inOrder = true;
        for (int i = 0; i < n; i++) {
            order[i] = i;
            inOrder &= i == 0 || v[i - 1] > v[i] || (v[i - 1] == v[i] && ids[i - 1] < ids[i]);
        }
        if (!inOrder) { // the device's topK order survives unless the penalty reorders (or a tie needs its id order)
            // descending value, ties by ascending id (torch's argmax picks the first maximal index)
            Arrays.sort(order, (a, b) -> v[a] != v[b] ? Float.compare(v[b], v[a]) : Long.compare(ids[a], ids[b]));
        }
        if (!p.doSample()) {
            return (int) ids[order[0]];
        }
        int keep = n;
        if (p.topK() > 0 && p.topK() < n) {
            float kth = v[order[p.topK() - 1]];
            keep = p.topK();
            while (keep < n && v[order[keep]] >= kth) {
                keep++;
            }
        }
        float[] sorted = new float[keep];
        for (int i = 0; i < keep; i++) {
            sorted[i] = v[order[i]];
        }
        return (int) ids[order[NucleusSampler.sample(sorted, p.temperature(), p.topP(), rng)]];
    }
}
