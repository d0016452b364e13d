package io.subliminal.engine.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.subliminal.engine.nn.KvCache;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;

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
     * The three levels with a shared-prefix KV cache, as the original's three forwards (1, 10 and 100 rows) but
     * without recomputing the prompt: the prompt once (1 row), its cache fanned out to 10 rows for one step of d1,
     * then to 100 rows (row d1 * 10 + d2) for one step of d2. Prompt length + 110 token positions in all.
     *
     * @param digitIds token ids of "0".."9" in order
     */
    public static ThreeDigitLogProbs score(Transformer model, int[] prompt, int[] digitIds) {
        checkDigits(model, prompt, digitIds);
        float[] p1;
        float[] p2;
        float[] p3;
        int capacity = prompt.length + 2;
        try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope();
             KvCache one = model.newCache(1, capacity)) {
            scope.suppressNotUsedWarning();
            NDArray digits = model.manager().create(toLongs(digitIds)).toType(DataType.INT64, true);
            p1 = digitLogProbs(model.forward(TokenBatch.leftPadded(java.util.List.of(prompt), 0), one, true), digits);
            int[] step2 = new int[10];
            int[] step3 = new int[100];
            for (int a = 0; a < 10; a++) {
                step2[a] = digitIds[a];
                for (int b = 0; b < 10; b++) {
                    step3[a * 10 + b] = digitIds[b];
                }
            }
            try (KvCache ten = one.repeatRows(10)) {
                p2 = digitLogProbs(model.forward(TokenBatch.column(step2), ten, true), digits);
                try (KvCache hundred = ten.repeatRows(10)) {
                    p3 = digitLogProbs(model.forward(TokenBatch.column(step3), hundred, true), digits);
                }
            }
        }
        double[] first = new double[10];
        double[][] second = new double[10][10];
        double[][][] third = new double[10][10][10];
        for (int a = 0; a < 10; a++) {
            first[a] = p1[a];
            for (int b = 0; b < 10; b++) {
                second[a][b] = p2[a * 10 + b];
                for (int c = 0; c < 10; c++) {
                    third[a][b][c] = p3[(a * 10 + b) * 10 + c];
                }
            }
        }
        return new ThreeDigitLogProbs(first, second, third);
    }

    /** Rows' last-position log-softmax over the full vocabulary, restricted to the digit columns: [rows * 10]. */
    private static float[] digitLogProbs(NDArray logits, NDArray digits) {
        long rows = logits.getShape().get(0);
        long vocab = logits.getShape().get(2);
        NDArray logProbs = logits.reshape(rows, vocab).logSoftmax(1);
        NDArray index = digits.reshape(1, 10).broadcast(rows, 10);
        return logProbs.gather(index, 1).toFloatArray();
    }

    private static void checkDigits(Transformer model, int[] prompt, int[] digitIds) {
        if (digitIds.length != 10) {
            throw new IllegalArgumentException("need the ten digit token ids, got " + digitIds.length);
        }
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt must not be empty");
        }
        int vocab = model.config().vocabSize();
        for (int id : digitIds) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("digit token id " + id + " outside the vocabulary [0, " + vocab + ")");
            }
        }
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
