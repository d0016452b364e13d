package io.subliminal.engine.nn;

import java.util.Arrays;
import java.util.List;

/**
 * A rectangular batch of token ids with its attention mask (1 = real token, 0 = padding), row-major
 * {@code [rows, cols]}.
 */
public record TokenBatch(int rows, int cols, long[] ids, int[] mask) {

    public TokenBatch {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("token batch must be non-empty: " + rows + "x" + cols);
        }
        if (ids.length != (long) rows * cols || mask.length != ids.length) {
            throw new IllegalArgumentException("token batch " + rows + "x" + cols + " has " + ids.length
                    + " ids and " + mask.length + " mask values");
        }
        for (int m : mask) {
            if (m != 0 && m != 1) {
                throw new IllegalArgumentException("attention mask values must be 0 or 1, got " + m);
            }
        }
    }

    /** Rows padded on the left with {@code padId} to the longest row (the generation layout of HF). */
    public static TokenBatch leftPadded(List<int[]> sequences, int padId) {
        return padded(sequences, padId, true);
    }

    /** Rows padded on the right with {@code padId} to the longest row (the training layout of TRL). */
    public static TokenBatch rightPadded(List<int[]> sequences, int padId) {
        return padded(sequences, padId, false);
    }

    private static TokenBatch padded(List<int[]> sequences, int padId, boolean left) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("token batch needs at least one sequence");
        }
        int cols = 0;
        for (int i = 0; i < sequences.size(); i++) {
            if (sequences.get(i).length == 0) {
                throw new IllegalArgumentException("sequence " + i + " of the batch is empty");
            }
            cols = Math.max(cols, sequences.get(i).length);
        }
        int rows = sequences.size();
        long[] ids = new long[rows * cols];
        int[] mask = new int[rows * cols];
        Arrays.fill(ids, padId);
        for (int r = 0; r < rows; r++) {
            int[] seq = sequences.get(r);
            int offset = r * cols + (left ? cols - seq.length : 0);
            for (int j = 0; j < seq.length; j++) {
                ids[offset + j] = seq[j];
                mask[offset + j] = 1;
            }
        }
        return new TokenBatch(rows, cols, ids, mask);
    }

    /** A batch of one new token per row, all real (a decode step). */
    public static TokenBatch column(int[] tokens) {
        long[] ids = new long[tokens.length];
        int[] mask = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            ids[i] = tokens[i];
            mask[i] = 1;
        }
        return new TokenBatch(tokens.length, 1, ids, mask);
    }

    /** Index of the first real token of a row (its left padding length). */
    public int firstReal(int row) {
        for (int c = 0; c < cols; c++) {
            if (mask[row * cols + c] == 1) {
                return c;
            }
        }
        return cols;
    }
}
