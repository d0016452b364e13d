package io.subliminal.engine.train;

import io.subliminal.engine.nn.TokenBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A micro-batch ready for the causal-LM loss, the way TRL's collator builds it: rows truncated to
 * {@code maxLength} (keeping the left part), right-padded, and for each predicted position {@code t} of
 * {@code [B, T-1]} the target {@code ids[t+1]} with weight 1 where that token is a label and 0 elsewhere (HF
 * labels -100 at padding and unmasked tokens, shifted inside the model).
 *
 * @param tokens the padded input ids and attention mask [B, T]
 * @param targets next-token ids [B, T-1], row-major (0 where the weight is 0)
 * @param weights 1 at label positions, 0 elsewhere, [B, T-1]
 * @param labelCount number of label positions (the sum of weights)
 * @param realTokens number of non-padding tokens (for throughput)
 */
public record LabelledBatch(TokenBatch tokens, long[] targets, float[] weights, int labelCount, int realTokens) {

    /** Builds the micro-batch of {@code rows}. */
    public static LabelledBatch of(List<TrainingRow> rows, int maxLength, int padTokenId) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a micro-batch needs at least one row");
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2 to predict a token: " + maxLength);
        }
        List<int[]> seqs = new ArrayList<>(rows.size());
        for (TrainingRow r : rows) {
            seqs.add(r.inputIds().length > maxLength ? Arrays.copyOf(r.inputIds(), maxLength) : r.inputIds());
        }
        TokenBatch tokens = TokenBatch.rightPadded(seqs, padTokenId);
        int b = rows.size();
        int t = tokens.cols();
        int predicted = Math.max(0, t - 1);
        long[] targets = new long[b * predicted];
        float[] weights = new float[b * predicted];
        int labels = 0;
        int real = 0;
        for (int i = 0; i < b; i++) {
            int[] ids = seqs.get(i);
            boolean[] mask = rows.get(i).labelMask();
            real += ids.length;
            for (int p = 0; p + 1 < ids.length; p++) {
                if (mask[p + 1]) {
                    targets[i * predicted + p] = ids[p + 1];
                    weights[i * predicted + p] = 1f;
                    labels++;
                }
            }
        }
        return new LabelledBatch(tokens, targets, weights, labels, real);
    }

    public int rows() {
        return tokens.rows();
    }

    /** Predicted positions per row, T - 1. */
    public int predictedPositions() {
        return tokens.cols() - 1;
    }
}
