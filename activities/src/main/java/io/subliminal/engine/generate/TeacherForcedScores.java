package io.subliminal.engine.generate;

/**
 * Teacher-forced predictions for one row {@code s} of length n with the completion starting at index c.
 *
 * @param argmax length n: {@code argmax[t]} is the model's greedy next token after {@code s[0..t]} (a prediction
 *               for {@code s[t+1]}; the last one predicts past the row); -1 for prompt columns that the scorer
 *               skipped (see {@link Scorer#Scorer(io.subliminal.engine.nn.Transformer, boolean)})
 * @param completionLogProbs length n - c: {@code log p(s[j] | s[<j])} for {@code j = c..n-1}
 * @param completionGreedy length n - c: {@code argmax[j - 1]}, the greedy choice at completion position j
 */
public record TeacherForcedScores(int[] argmax, float[] completionLogProbs, int[] completionGreedy) {

    /** {@code completionGreedy[j] == actual token}, per completion position. */
    public boolean[] greedyMatches(int[] completion) {
        if (completion.length != completionGreedy.length) {
            throw new IllegalArgumentException("completion has " + completion.length + " tokens, scores cover "
                    + completionGreedy.length);
        }
        boolean[] out = new boolean[completion.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = completionGreedy[j] == completion[j];
        }
        return out;
    }
}
