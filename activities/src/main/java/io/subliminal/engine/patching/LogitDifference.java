package io.subliminal.engine.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The attribution-patching metric (PROTOCOL.md §11.2 step 7): m = mean over rows p of
 * {@code logit[correct_p] - logit[incorrect_p]} at each row's metric position.
 *
 * @param positions metric position (column) of each row of the batch
 * @param correct   the token the target teacher predicts there, per row
 * @param incorrect the token the counterfactual teacher predicts there, per row
 */
public record LogitDifference(int[] positions, int[] correct, int[] incorrect) {

    public LogitDifference {
        if (positions.length == 0 || positions.length != correct.length || positions.length != incorrect.length) {
            throw new IllegalArgumentException("logit difference needs one position, correct and incorrect token per row; got "
                    + positions.length + ", " + correct.length + ", " + incorrect.length);
        }
    }

    public int rows() {
        return positions.length;
    }

    /** Flat positions {@code row * columns + position} of a batch with {@code columns} columns. */
    public long[] flatPositions(int columns) {
        long[] flat = new long[positions.length];
        for (int p = 0; p < positions.length; p++) {
            if (positions[p] < 0 || positions[p] >= columns) {
                throw new IllegalArgumentException("metric position " + positions[p] + " outside the row of " + columns);
            }
            flat[p] = (long) p * columns + positions[p];
        }
        return flat;
    }

    /** m of logits {@code [rows, V]} taken at the metric positions: a 0-d float32 array, differentiable. */
    public NDArray of(NDArray logits, NDManager manager) {
        return pick(logits, correct, manager).sub(pick(logits, incorrect, manager)).mean();
    }

    private static NDArray pick(NDArray logits, int[] tokens, NDManager manager) {
        long[] ids = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            ids[i] = tokens[i];
        }
        NDArray fromJava = manager.create(ids, new Shape(ids.length, 1));
        NDArray index = fromJava.duplicate(); // natively owned: autograd must not reference the Java buffer
        fromJava.close();
        return logits.gather(index, 1).reshape(ids.length);
    }
}
