package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CausalLmLossTest {

    static List<String> families() {
        return TinyModels.FAMILIES;
    }

    @ParameterizedTest
    @MethodSource("families")
    void labelPositionLossEqualsFullLogitsLoss(String family) {
        try (Transformer model = TrainFixtures.tinyModel(family, 5)) {
            int vocab = model.config().vocabSize();
            // unequal lengths: right padding, prompts of 1-3 unlabelled tokens
            LabelledBatch batch = LabelledBatch.of(TrainFixtures.rows(vocab, 9, 7, 4, 9), 32, 0);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                float full = CausalLmLoss.sum(model.forward(batch.tokens(), null, false), batch).getFloat();
                float labelled = CausalLmLoss.sum(model, batch).getFloat();
                assertTrue(full > 0, family + " loss " + full);
                assertEquals(full, labelled, 1e-5 * Math.abs(full), family);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void logitsAtAreRowsOfTheFullLogits(String family) {
        try (Transformer model = TrainFixtures.tinyModel(family, 6)) {
            int vocab = model.config().vocabSize();
            List<int[]> seqs = TinyModels.randomSequences(model.config(), 3, 5, 3);
            TokenBatch batch = TokenBatch.rightPadded(seqs, 0);
            long[] positions = {6, 0, 3, 9};
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                float[] all = model.logits(batch).toFloatArray(); // [2, 5, V]
                NDArray at = model.logitsAt(batch, positions);
                assertEquals(List.of(4L, (long) vocab), List.of(at.getShape().get(0), at.getShape().get(1)));
                float[] picked = at.toFloatArray();
                for (int i = 0; i < positions.length; i++) {
                    for (int v = 0; v < vocab; v++) {
                        assertEquals(all[(int) positions[i] * vocab + v], picked[i * vocab + v], 1e-5,
                                family + " position " + positions[i] + " token " + v);
                    }
                }
            }
        }
    }

    @Test
    void positionsOutsideTheBatchAreRejected() {
        try (Transformer model = TrainFixtures.tinyModel("llama", 7)) {
            TokenBatch batch = TokenBatch.rightPadded(List.of(new int[] {1, 2, 3}), 0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.logitsAt(batch, new long[] {3}));
            assertTrue(e.getMessage().contains("position 3"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.logitsAt(batch, new long[0]));
        }
    }
}
