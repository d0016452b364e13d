package io.subliminal.engine.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;

import java.util.ArrayList;
import java.util.List;

/**
 * Teacher forcing: one forward over left-padded {@code prompt + completion} rows, and for every position the log-prob
 * of the actual next token and the greedy argmax. This is what divergence-token marking (PROTOCOL 6.1) compares
 * across teachers, so it runs the same float32 logits as generation (log-softmax in float32).
 */
public final class Scorer {

    private final Transformer model;

    public Scorer(Transformer model) {
        this.model = model;
    }

    /**
     * @param sequences full rows (prompt then completion), each at least 2 tokens
     * @param completionStarts per row, the index of the first completion token (>= 1)
     * @param padId left padding id (its value does not affect the result: padding is masked)
     */
    public List<TeacherForcedScores> score(List<int[]> sequences, int[] completionStarts, int padId) {
        if (completionStarts.length != sequences.size()) {
            throw new IllegalArgumentException(sequences.size() + " sequences but " + completionStarts.length
                    + " completion starts");
        }
        for (int r = 0; r < sequences.size(); r++) {
            int n = sequences.get(r).length;
            if (completionStarts[r] < 1 || completionStarts[r] > n) {
                throw new IllegalArgumentException("completion start " + completionStarts[r] + " of row " + r
                        + " is outside [1, " + n + "]");
            }
        }
        TokenBatch batch = TokenBatch.leftPadded(sequences, padId);
        int rows = batch.rows();
        int cols = batch.cols();
        long[] targets = new long[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c + 1 < cols; c++) {
                targets[r * cols + c] = batch.ids()[r * cols + c + 1];
            }
        }
        float[] logProbs;
        long[] argmax;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = model.logits(batch);
            argmax = logits.argMax(2).toLongArray();
            NDArray index = model.manager().create(targets, new Shape(rows, cols, 1)).toType(DataType.INT64, true);
            logProbs = logits.logSoftmax(2).gather(index, 2).toFloatArray();
        }
        List<TeacherForcedScores> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int n = sequences.get(r).length;
            int offset = cols - n;
            int start = completionStarts[r];
            int[] rowArgmax = new int[n];
            for (int t = 0; t < n; t++) {
                rowArgmax[t] = (int) argmax[r * cols + offset + t];
            }
            float[] lp = new float[n - start];
            int[] greedy = new int[n - start];
            for (int j = start; j < n; j++) {
                lp[j - start] = logProbs[r * cols + offset + j - 1];
                greedy[j - start] = rowArgmax[j - 1];
            }
            out.add(new TeacherForcedScores(rowArgmax, lp, greedy));
        }
        return out;
    }
}
