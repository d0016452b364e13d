package io.subliminal.engine.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.subliminal.engine.nn.NoGrad;
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
    private final boolean includePromptArgmax;

    /** A scorer that computes logits only where completions are scored (prompt argmax entries are -1). */
    public Scorer(Transformer model) {
        this(model, false);
    }

    /** @param includePromptArgmax also run the LM head over prompt columns, so every argmax entry is filled */
    public Scorer(Transformer model, boolean includePromptArgmax) {
        this.model = model;
        this.includePromptArgmax = includePromptArgmax;
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
        // logits are needed from the earliest column whose prediction is scored, and for every column's argmax
        // only from there on (earlier argmax values are reported from the same pass when first == 0)
        int first = cols;
        for (int r = 0; r < rows; r++) {
            first = Math.min(first, cols - sequences.get(r).length + completionStarts[r] - 1);
        }
        first = includePromptArgmax ? 0 : first;
        int width = cols - first;
        long[] targets = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int c = first; c + 1 < cols; c++) {
                targets[r * width + c - first] = batch.ids()[r * cols + c + 1];
            }
        }
        float[] logProbs;
        long[] argmax;
        try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = model.forward(batch, null, first);
            argmax = logits.argMax(2).toLongArray();
            NDArray index = model.manager().create(targets, new Shape(rows, width, 1)).toType(DataType.INT64, true);
            logProbs = logits.logSoftmax(2).gather(index, 2).toFloatArray();
        }
        List<TeacherForcedScores> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int n = sequences.get(r).length;
            int offset = cols - n;
            int start = completionStarts[r];
            int[] rowArgmax = new int[n];
            for (int t = 0; t < n; t++) {
                int c = offset + t;
                rowArgmax[t] = c < first ? -1 : (int) argmax[r * width + c - first];
            }
            float[] lp = new float[n - start];
            int[] greedy = new int[n - start];
            for (int j = start; j < n; j++) {
                lp[j - start] = logProbs[r * width + offset + j - 1 - first];
                greedy[j - start] = rowArgmax[j - 1];
            }
            out.add(new TeacherForcedScores(rowArgmax, lp, greedy));
        }
        return out;
    }

    /**
     * Full-vocabulary next-token log-softmax (float32) at chosen positions, restricted to {@code tokenIds}: one
     * batched forward over the left-padded rows, the LM head only at the requested positions.
     *
     * @param sequences rows of token ids
     * @param positions per row, the token indices whose next-token distribution is wanted (each in [0, length))
     * @param tokenIds the vocabulary columns to return
     * @param padId left padding id (masked)
     * @return per row, per requested position, {@code log p(tokenIds[j] | row[0..position])}
     */
    public float[][][] logProbsAt(List<int[]> sequences, List<int[]> positions, int[] tokenIds, int padId) {
        if (positions.size() != sequences.size()) {
            throw new IllegalArgumentException(sequences.size() + " sequences but " + positions.size() + " position lists");
        }
        int vocab = model.config().vocabSize();
        for (int id : tokenIds) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + vocab + ")");
            }
        }
        TokenBatch batch = TokenBatch.leftPadded(sequences, padId);
        int cols = batch.cols();
        int total = 0;
        for (int r = 0; r < sequences.size(); r++) {
            for (int p : positions.get(r)) {
                if (p < 0 || p >= sequences.get(r).length) {
                    throw new IllegalArgumentException("position " + p + " of row " + r + " is outside [0, "
                            + sequences.get(r).length + ")");
                }
            }
            total += positions.get(r).length;
        }
        if (total == 0) {
            throw new IllegalArgumentException("logProbsAt needs at least one position");
        }
        long[] flat = new long[total];
        int k = 0;
        for (int r = 0; r < sequences.size(); r++) {
            int offset = cols - sequences.get(r).length;
            for (int p : positions.get(r)) {
                flat[k++] = (long) r * cols + offset + p;
            }
        }
        long[] columns = new long[tokenIds.length];
        for (int j = 0; j < tokenIds.length; j++) {
            columns[j] = tokenIds[j];
        }
        float[] values;
        try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logProbs = model.logitsAt(batch, flat).logSoftmax(1);
            NDArray index = model.manager().create(columns, new Shape(1, columns.length))
                    .toType(DataType.INT64, true).broadcast(total, columns.length);
            values = logProbs.gather(index, 1).toFloatArray();
        }
        float[][][] out = new float[sequences.size()][][];
        k = 0;
        for (int r = 0; r < sequences.size(); r++) {
            out[r] = new float[positions.get(r).length][];
            for (int i = 0; i < out[r].length; i++, k++) {
                out[r][i] = java.util.Arrays.copyOfRange(values, k * tokenIds.length, (k + 1) * tokenIds.length);
            }
        }
        return out;
    }
}
