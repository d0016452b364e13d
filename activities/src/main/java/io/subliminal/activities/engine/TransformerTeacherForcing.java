package io.subliminal.activities.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;

import java.util.List;

/**
 * {@link TeacherForcing} on the DJL {@link Transformer}: one full forward of the padded batch (pad id 0; padded
 * positions are masked out) and an argmax over the vocabulary at every position, without autograd.
 */
public final class TransformerTeacherForcing implements TeacherForcing {

    @Override
    public int[][] argmax(LoadedModel model, List<int[]> sequences, boolean leftPad) {
        Transformer transformer = model.transformer();
        JniUtils.setGradMode(false);
        TokenBatch batch = leftPad ? TokenBatch.leftPadded(sequences, 0) : TokenBatch.rightPadded(sequences, 0);
        long[] flat;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = transformer.logits(batch);
            flat = logits.argMax(2).toLongArray();
        }
        int[][] out = new int[batch.rows()][batch.cols()];
        for (int r = 0; r < batch.rows(); r++) {
            for (int c = 0; c < batch.cols(); c++) {
                out[r][c] = (int) flat[r * batch.cols() + c];
            }
        }
        return out;
    }

    /** The padded id rows of {@code sequences} in the same layout as {@link #argmax} uses. */
    public static int[][] paddedIds(List<int[]> sequences, boolean leftPad) {
        TokenBatch batch = leftPad ? TokenBatch.leftPadded(sequences, 0) : TokenBatch.rightPadded(sequences, 0);
        int[][] out = new int[batch.rows()][batch.cols()];
        for (int r = 0; r < batch.rows(); r++) {
            for (int c = 0; c < batch.cols(); c++) {
                out[r][c] = (int) batch.ids()[r * batch.cols() + c];
            }
        }
        return out;
    }

}
