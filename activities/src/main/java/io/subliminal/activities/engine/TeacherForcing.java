package io.subliminal.activities.engine;

import io.subliminal.activities.support.LoadedModel;

import java.util.List;

/** Teacher-forced greedy predictions: one forward pass over given sequences, argmax at every position. */
public interface TeacherForcing {

    /**
     * For each sequence of length n, n argmax ids: entry i is the model's greedy next token after tokens 0..i
     * (a prediction for token i + 1). The sequences are scored together, left-padded as in generation (§6.1).
     */
    List<int[]> argmax(LoadedModel model, List<int[]> sequences);
}
