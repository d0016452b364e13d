package io.subliminal.activities.engine;

import io.subliminal.activities.support.LoadedModel;

import java.util.List;

/** Teacher-forced greedy predictions: one forward pass over given sequences, argmax at every position. */
public interface TeacherForcing {

    /**
     * For each sequence, {@code argmax(logits[i])} at every position i of the padded batch (so entry i predicts token
     * i + 1). With {@code leftPad} the rows are left-padded (generation layout, §6.1), otherwise right-padded (§9);
     * the returned rows have the padded length.
     */
    int[][] argmax(LoadedModel model, List<int[]> sequences, boolean leftPad);
}
