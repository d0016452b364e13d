package io.subliminal.engine.generate;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.subliminal.data.EntangledNumbers;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The shared-prefix digit continuations of §11.1 against brute-force teacher forcing of every three-digit string. */
class ThreeDigitLogProbsTest {
    /** Ten distinct ids standing in for the digit tokens "0".."9" (any ids work for a random model). */
    private static final int[] DIGITS = {17, 5, 42, 8, 23, 31, 11, 50, 2, 36};

    @Test
    void batchedContinuationsMatchBruteForceThreeTokenScoring() {
        ModelConfig c = TinyModels.config("qwen2");
        int[] prompt = TinyModels.randomSequences(c, 60, 9).get(0);
        try (Transformer model = Transformer.load(TinyModels.random("qwen2", 61), Device.cpu(), Precision.FP32)) {
            Scorer scorer = new Scorer(model);
            ThreeDigitLogProbs lp = ThreeDigitLogProbs.score(model, prompt, DIGITS);

            // brute force: every "d1 d2 d3" scored by teacher forcing, the three completion log-probs summed
            double[] bruteLog = new double[1000];
            for (int a = 0; a < 10; a++) {
                List<int[]> rows = new ArrayList<>();
                int[] starts = new int[100];
                for (int n = 0; n < 100; n++) {
                    int[] row = Arrays.copyOf(prompt, prompt.length + 3);
                    row[prompt.length] = DIGITS[a];
                    row[prompt.length + 1] = DIGITS[n / 10];
                    row[prompt.length + 2] = DIGITS[n % 10];
                    rows.add(row);
                    starts[n] = prompt.length;
                }
                List<TeacherForcedScores> scores = scorer.score(rows, starts, 0);
                for (int n = 0; n < 100; n++) {
                    float[] s = scores.get(n).completionLogProbs();
                    bruteLog[a * 100 + n] = (double) s[0] + s[1] + s[2];
                    assertEquals(s[0], lp.first()[a], 1e-4, "d1 " + a);
                    assertEquals(s[1], lp.second()[a][n / 10], 1e-4, "d2 after " + a);
                    assertEquals(s[2], lp.third()[a][n / 10][n % 10], 1e-4, "d3 after " + a + (n / 10));
                }
            }
            double[] joint = EntangledNumbers.jointDistribution(lp.first(), lp.second(), lp.third());
            double sum = Arrays.stream(joint).sum();
            assertEquals(1.0, sum, 1e-9, "the joint distribution over 000..999 sums to 1");
            double max = Arrays.stream(bruteLog).max().orElseThrow();
            double z = Arrays.stream(bruteLog).map(v -> Math.exp(v - max)).sum();
            for (int i = 0; i < 1000; i++) {
                assertEquals(Math.exp(bruteLog[i] - max) / z, joint[i], 1e-5 * Math.max(1e-3, joint[i]) + 1e-9, "P(" + i + ")");
            }
        }
    }

    @Test
    void logProbsAtIsTheFullVocabularyLogSoftmaxOfEachLeftPaddedRow() {
        ModelConfig c = TinyModels.config("llama");
        List<int[]> rows = TinyModels.randomSequences(c, 70, 7, 4);
        try (Transformer model = Transformer.load(TinyModels.random("llama", 71), Device.cpu(), Precision.FP32)) {
            float[][][] got = new Scorer(model).logProbsAt(rows, List.of(new int[] {6, 2}, new int[] {0, 3}), DIGITS, 0);
            for (int r = 0; r < rows.size(); r++) {
                NDArray single = model.logits(TokenBatch.leftPadded(List.of(rows.get(r)), 0)).logSoftmax(2);
                float[] all = single.toFloatArray();
                int[] positions = r == 0 ? new int[] {6, 2} : new int[] {0, 3};
                for (int i = 0; i < positions.length; i++) {
                    for (int j = 0; j < DIGITS.length; j++) {
                        assertEquals(all[positions[i] * c.vocabSize() + DIGITS[j]], got[r][i][j], 2e-5,
                                "row " + r + " position " + positions[i] + " token " + DIGITS[j]);
                    }
                }
                single.close();
            }
            assertThrows(IllegalArgumentException.class,
                    () -> new Scorer(model).logProbsAt(rows, List.of(new int[] {7}, new int[] {0}), DIGITS, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> new Scorer(model).logProbsAt(rows, List.of(new int[] {0}, new int[] {0}), new int[] {c.vocabSize()}, 0));
        }
    }
}
