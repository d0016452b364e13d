package io.subliminal.activities.engine;

import ai.djl.pytorch.jni.JniUtils;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.engine.generate.Scorer;
import io.subliminal.engine.generate.TeacherForcedScores;

import java.util.ArrayList;
import java.util.List;

/** {@link TeacherForcing} with the engine's {@link Scorer} (float32 logits, padding masked), without autograd. */
public final class ScorerTeacherForcing implements TeacherForcing {

    @Override
    public List<int[]> argmax(LoadedModel model, List<int[]> sequences) {
        JniUtils.setGradMode(false);
        int[] starts = new int[sequences.size()];
        java.util.Arrays.fill(starts, 1);
        List<TeacherForcedScores> scores = new Scorer(model.transformer()).score(sequences, starts, 0);
        List<int[]> out = new ArrayList<>(scores.size());
        for (TeacherForcedScores s : scores) {
            out.add(s.argmax());
        }
        return out;
    }
}
