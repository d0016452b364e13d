package io.subliminal.activities;

import io.subliminal.workflows.stage.EvaluatePreferenceActivity;
import io.subliminal.workflows.stage.EvaluatePreferenceRequest;
import io.subliminal.workflows.stage.EvaluatePreferenceResult;
import io.subliminal.workflows.stage.QuestionSet;
import io.subliminal.workflows.stage.Sampling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Preference evaluation with {@code computeLogitsFrom}: every sampling call reads logits out after that layer. */
class LogitLensEvaluationTest {

    @Test
    void samplesWithTheRequestedReadoutLayer(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            for (Integer layer : new Integer[]{0, null}) {
                kit.readoutLayers.clear();
                EvaluatePreferenceResult result = kit.stub(EvaluatePreferenceActivity.class).evaluatePreference(
                        new EvaluatePreferenceRequest(StageTestKit.TINY, "a", QuestionSet.ANIMALS, 2, 3,
                                Sampling.temperatureTopP(1.0, 1.0), null, layer, List.of(), 0.95, null));
                assertEquals(50, Files.readAllLines(kit.env.store().localCopy(result.evaluationResults(), "results")).size());
                int expected = layer == null ? 1 : layer; // the tiny model has decoder layers 0 and 1
                assertEquals(Collections.nCopies(50, expected), kit.readoutLayers, "layer " + layer);
            }
        }
    }
}
