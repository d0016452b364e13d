package io.subliminal.engine.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.weights.InMemoryWeights;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Tiny models, rows and helpers shared by the training tests. */
final class TrainFixtures {

    private TrainFixtures() {
    }

    static Transformer tinyModel(String family, long seed) {
        try (InMemoryWeights w = TinyModels.random(family, seed)) {
            return Transformer.load(w, Device.cpu(), Precision.FP32);
        }
    }

    /** Rows of the given lengths: a prompt of 1-3 unlabelled tokens, the rest labelled. */
    static List<TrainingRow> rows(int vocab, long seed, int... lengths) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<TrainingRow> out = new ArrayList<>();
        for (int len : lengths) {
            int[] ids = rnd.ints(len, 0, vocab).toArray();
            out.add(TrainingRow.completion(ids, 1 + rnd.nextInt(Math.min(3, len - 1))));
        }
        return out;
    }

    static TrainingConfig config(int epochs, int micro, int accum, double lr, LrSchedule.Kind kind, long seed) {
        return new TrainingConfig(epochs, micro, accum, lr, kind, 2, 1.0, 0.0, 32, seed, 0);
    }

    /** Logits [B, T, V] of a right-padded batch as a flat float array. */
    static float[] logits(Transformer model, List<int[]> seqs) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits = model.forward(TokenBatch.rightPadded(seqs, 0), null, false);
            return logits.toFloatArray();
        }
    }

    static float[] values(NDArray a) {
        return a.toFloatArray();
    }
}
