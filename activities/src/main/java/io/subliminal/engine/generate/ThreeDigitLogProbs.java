package io.subliminal.engine.generate;

import java.util.ArrayList;
import java.util.List;

/**
 * Next-token log-probabilities of the ten digit tokens for the three digits after a prompt (PROTOCOL §11.1 step 2):
 * {@code first[d1] = log p(d1 | prompt)}, {@code second[d1][d2] = log p(d2 | prompt d1)} and
 * {@code third[d1][d2][d3] = log p(d3 | prompt d1 d2)}, each a full-vocabulary log-softmax restricted to the digits.
 *
 * @param first log p(d1 | prompt), 10 values
 * @param second log p(d2 | prompt, d1), 10 x 10
 * @param third log p(d3 | prompt, d1, d2), 10 x 10 x 10
 */
public record ThreeDigitLogProbs(double[] first, double[][] second, double[][][] third) {

    /**
     * All three levels from one batched forward over the 100 rows {@code prompt d1 d2}: row (d1, d2) gives
     * d3 at its last position, rows (d1, 0) also give d2 at the position of d1, and row (0, 0) also gives d1 at the
     * prompt's last token (causal attention makes these identical to separate forwards of the shorter prefixes).
     *
     * @param digitIds token ids of "0".."9" in order
     */
    public static ThreeDigitLogProbs score(Scorer scorer, int[] prompt, int[] digitIds, int padId) {
        if (digitIds.length != 10) {
            throw new IllegalArgumentException("need the ten digit token ids, got " + digitIds.length);
        }
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt must not be empty");
        }
        int last = prompt.length - 1;
        List<int[]> rows = new ArrayList<>(100);
        List<int[]> positions = new ArrayList<>(100);
        for (int a = 0; a < 10; a++) {
            for (int b = 0; b < 10; b++) {
                int[] row = java.util.Arrays.copyOf(prompt, prompt.length + 2);
                row[prompt.length] = digitIds[a];
                row[prompt.length + 1] = digitIds[b];
                rows.add(row);
                if (a == 0 && b == 0) {
                    positions.add(new int[] {last, last + 1, last + 2});
                } else if (b == 0) {
                    positions.add(new int[] {last + 1, last + 2});
                } else {
                    positions.add(new int[] {last + 2});
                }
            }
        }
        float[][][] lp = scorer.logProbsAt(rows, positions, digitIds, padId);
        double[] first = new double[10];
        double[][] second = new double[10][10];
        double[][][] third = new double[10][10][10];
        for (int d = 0; d < 10; d++) {
            first[d] = lp[0][0][d];
        }
        for (int a = 0; a < 10; a++) {
            float[][] rowA = lp[a * 10];
            for (int d = 0; d < 10; d++) {
                second[a][d] = rowA[rowA.length - 2][d];
            }
            for (int b = 0; b < 10; b++) {
                float[][] row = lp[a * 10 + b];
                for (int d = 0; d < 10; d++) {
                    third[a][b][d] = row[row.length - 1][d];
                }
            }
        }
        return new ThreeDigitLogProbs(first, second, third);
    }
}
