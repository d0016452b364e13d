package io.subliminal.engine.generate;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScorerTest {

    @Test
    void paddedBatchScoresEqualEachRowsOwnLogSoftmax() {
        ModelConfig c = TinyModels.config("gemma3_text");
        List<int[]> rows = TinyModels.randomSequences(c, 40, 9, 5, 7);
        int[] starts = {4, 2, 6};
        try (Transformer model = Transformer.load(TinyModels.random("gemma3_text", 41), Device.cpu(), Precision.FP32);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<TeacherForcedScores> scores = new Scorer(model, true).score(rows, starts, 0);
            List<TeacherForcedScores> lean = new Scorer(model).score(rows, starts, 0);
            assertEquals(-1, lean.get(0).argmax()[0], "the longest row's prompt columns are skipped");
            for (int r = 0; r < rows.size(); r++) {
                int[] s = rows.get(r);
                NDArray logp = model.logits(TokenBatch.leftPadded(List.of(s), 0)).logSoftmax(2);
                float[] lp = logp.toFloatArray();
                long[] argmax = logp.argMax(2).toLongArray();
                TeacherForcedScores sc = scores.get(r);
                assertEquals(s.length, sc.argmax().length);
                assertEquals(s.length - starts[r], sc.completionLogProbs().length);
                for (int j = starts[r]; j < s.length; j++) {
                    float expected = lp[(j - 1) * c.vocabSize() + s[j]];
                    assertEquals(expected, sc.completionLogProbs()[j - starts[r]], 2e-5, "row " + r + " pos " + j);
                    assertEquals(sc.argmax()[j - 1], sc.completionGreedy()[j - starts[r]]);
                }
                for (int t = 0; t < s.length; t++) {
                    assertEquals(argmax[t], sc.argmax()[t], "row " + r + " pos " + t);
                }
                // the lean scorer skips prompt columns but scores completions identically
                assertArrayEquals(sc.completionGreedy(), lean.get(r).completionGreedy());
                assertArrayEquals(sc.completionLogProbs(), lean.get(r).completionLogProbs(), 1e-6f);
                for (int t = 0; t < s.length; t++) {
                    int a = lean.get(r).argmax()[t];
                    assertTrue(a == -1 || a == sc.argmax()[t]);
                    assertTrue(a != -1 || t < starts[r] - 1, "scored columns are never skipped");
                }
            }
        }
    }

    /** A greedy continuation is, under teacher forcing, the model's own argmax at every completion position. */
    @Test
    void greedyCompletionsAreFullyMatchedUnderTeacherForcing() {
        ModelConfig c = TinyModels.config("qwen2");
        List<int[]> prompts = TinyModels.randomSequences(c, 50, 6, 3, 8);
        try (Transformer model = Transformer.load(TinyModels.random("qwen2", 51), Device.cpu(), Precision.FP32)) {
            List<Generation> gen = new Sampler(model).generate(prompts, SamplingParams.greedy(7, List.of(), 3));
            List<int[]> full = new ArrayList<>();
            int[] starts = new int[prompts.size()];
            for (int r = 0; r < prompts.size(); r++) {
                int[] p = prompts.get(r);
                int[] g = gen.get(r).tokens();
                int[] s = Arrays.copyOf(p, p.length + g.length);
                System.arraycopy(g, 0, s, p.length, g.length);
                full.add(s);
                starts[r] = p.length;
            }
            List<TeacherForcedScores> scores = new Scorer(model).score(full, starts, 3);
            for (int r = 0; r < prompts.size(); r++) {
                boolean[] match = scores.get(r).greedyMatches(gen.get(r).tokens());
                for (boolean m : match) {
                    assertTrue(m, "row " + r);
                }
                for (float lp : scores.get(r).completionLogProbs()) {
                    assertTrue(lp <= 0 && lp > -50);
                }
            }
        }
    }

    /** Scoring on a fresh thread (where DJL leaves autograd on) records nothing and restores the thread's mode. */
    @Test
    void scoringOnAWorkerThreadRestoresItsGradMode() throws Exception {
        try (Transformer model = Transformer.load(TinyModels.random("llama", 1), Device.cpu(), Precision.FP32)) {
            boolean[] modes = new boolean[2];
            Thread worker = new Thread(() -> {
                ai.djl.pytorch.jni.JniUtils.setGradMode(true);
                new Scorer(model).score(List.of(new int[]{1, 2, 3, 4}), new int[]{2}, 0);
                modes[0] = ai.djl.pytorch.jni.JniUtils.isGradMode();
                ai.djl.pytorch.jni.JniUtils.setGradMode(false);
                new Scorer(model).score(List.of(new int[]{1, 2, 3, 4}), new int[]{2}, 0);
                modes[1] = ai.djl.pytorch.jni.JniUtils.isGradMode();
            });
            worker.start();
            worker.join();
            assertTrue(modes[0]);
            assertTrue(!modes[1]);
        }
    }

    @Test
    void rejectsCompletionStartsOutsideTheRow() {
        try (Transformer model = Transformer.load(TinyModels.random("llama", 1), Device.cpu(), Precision.FP32)) {
            Scorer scorer = new Scorer(model);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> scorer.score(List.of(new int[]{1, 2, 3}), new int[]{0}, 0));
            assertTrue(e.getMessage().contains("row 0"));
            assertThrows(IllegalArgumentException.class, () -> scorer.score(List.of(new int[]{1, 2}), new int[]{1, 1}, 0));
            assertArrayEquals(new boolean[]{true, false},
                    new TeacherForcedScores(new int[3], new float[2], new int[]{5, 6}).greedyMatches(new int[]{5, 7}));
        }
    }
}
