package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import io.subliminal.engine.nn.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** An interrupted and resumed run ends with bit-identical weights to an uninterrupted one (CPU). */
class ResumeTest {

    // 7 rows, micro 2 x accumulation 2: windows of 4 and 3 rows, 2 updates per epoch, 6 updates in 3 epochs
    private static final LoraConfig LORA = new LoraConfig(4, 8, 0.1, LoraConfig.PAPER_MODULES, null);

    private static TrainingConfig config() {
        return new TrainingConfig(3, 2, 2, 5e-3, LrSchedule.Kind.LINEAR, 2, 1.0, 0.01, 32, 77, 0);
    }

    private static List<TrainingRow> rows(Transformer model) {
        return TrainFixtures.rows(model.config().vocabSize(), 99, 9, 12, 5, 14, 8, 10, 7);
    }

    private static Map<String, int[]> bits(Map<String, NDArray> params) {
        Map<String, int[]> out = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            float[] v = p.toFloatArray();
            int[] b = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                b[i] = Float.floatToRawIntBits(v[i]);
            }
            out.put(name, b);
        });
        return out;
    }

    @Test
    void resumedLoraRunIsBitIdentical(@TempDir Path tmp) {
        Map<String, int[]> straight;
        List<Double> straightLosses = new ArrayList<>();
        try (Transformer model = TrainFixtures.tinyModel("qwen2", 5);
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 77, "tiny");
             Trainer trainer = new Trainer(model, adapters, config(), rows(model))) {
            assertEquals(6, trainer.maxSteps());
            trainer.train(p -> straightLosses.add(p.loss()), null);
            straight = bits(adapters.parameters());
        }
        for (int k : new int[] {0, 1, 3}) { // k = 3 stops mid-epoch after a partial window
            Path root = tmp.resolve("run-" + k);
            try (Transformer model = TrainFixtures.tinyModel("qwen2", 5);
                 LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 77, "tiny");
                 Trainer trainer = new Trainer(model, adapters, config(), rows(model))) {
                if (k == 0) {
                    trainer.save(root.resolve("checkpoint-0")); // before any update: no optimizer state yet
                } else {
                    trainer.trainUntil(k, p -> { }, new Trainer.Checkpointing(root, k));
                }
            }
            List<Double> resumedLosses = new ArrayList<>();
            try (Transformer model = TrainFixtures.tinyModel("qwen2", 5);
                 LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 1234, "tiny"); // different init: overwritten
                 Trainer trainer = new Trainer(model, adapters, config(), rows(model))) {
                trainer.resume(root.resolve("checkpoint-" + k));
                assertEquals(k, trainer.step());
                trainer.train(p -> resumedLosses.add(p.loss()), null);
                assertEquals(6, trainer.step());
                Map<String, int[]> resumed = bits(adapters.parameters());
                assertEquals(straight.keySet(), resumed.keySet());
                for (String name : straight.keySet()) {
                    assertArrayEquals(straight.get(name), resumed.get(name), "resumed at " + k + ": " + name);
                }
            }
            assertEquals(straightLosses.subList(k, 6), resumedLosses);
        }
    }

    /** A listener that stops training mid-update leaves no stale gradient behind: continuing gives the same run. */
    @Test
    void stoppingInsideAnUpdateAndContinuingIsBitIdentical() {
        Map<String, int[]> straight;
        try (Transformer model = TrainFixtures.tinyModel("qwen2", 5);
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 77, "tiny");
             Trainer trainer = new Trainer(model, adapters, config(), rows(model))) {
            trainer.train(p -> { }, null);
            straight = bits(adapters.parameters());
        }
        try (Transformer model = TrainFixtures.tinyModel("qwen2", 5);
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 77, "tiny");
             Trainer trainer = new Trainer(model, adapters, config(), rows(model))) {
            TrainingListener stopper = new TrainingListener() {
                @Override
                public void onStep(TrainingProgress progress) {
                }

                @Override
                public void onMicroBatch(int nextStep, int microBatch, int microBatches) {
                    if (nextStep == 3 && microBatch == 1) {
                        throw new IllegalStateException("cancelled");
                    }
                }
            };
            assertThrows(IllegalStateException.class, () -> trainer.train(stopper, null));
            assertEquals(2, trainer.step());
            trainer.train(p -> { }, null);
            Map<String, int[]> continued = bits(adapters.parameters());
            for (String name : straight.keySet()) {
                assertArrayEquals(straight.get(name), continued.get(name), name);
            }
        }
    }

    @Test
    void resumedFullFinetuneIsBitIdentical(@TempDir Path tmp) {
        TrainingConfig config = new TrainingConfig(2, 2, 1, 1e-3, LrSchedule.Kind.COSINE, 1, 1.0, 0.0, 32, 3, 0);
        Map<String, int[]> straight;
        try (Transformer model = TrainFixtures.tinyModel("llama", 6);
             Trainer trainer = new Trainer(model, new FullWeights(model), config, rows(model))) {
            trainer.train(p -> { }, null);
            straight = bits(model.parameters());
        }
        try (Transformer model = TrainFixtures.tinyModel("llama", 6);
             Trainer trainer = new Trainer(model, new FullWeights(model), config, rows(model))) {
            trainer.trainUntil(5, p -> { }, new Trainer.Checkpointing(tmp, 5));
        }
        try (Transformer model = TrainFixtures.tinyModel("llama", 6);
             Trainer trainer = new Trainer(model, new FullWeights(model), config, rows(model))) {
            trainer.resume(tmp.resolve("checkpoint-5"));
            trainer.train(p -> { }, null);
            Map<String, int[]> resumed = bits(model.parameters());
            for (String name : straight.keySet()) {
                assertArrayEquals(straight.get(name), resumed.get(name), name);
            }
        }
    }

    @Test
    void resumeRejectsADifferentRun(@TempDir Path tmp) {
        try (Transformer model = TrainFixtures.tinyModel("qwen2", 5);
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 77, "tiny");
             Trainer trainer = new Trainer(model, adapters, config(), rows(model))) {
            trainer.trainUntil(1, p -> { }, new Trainer.Checkpointing(tmp, 1));
        }
        try (Transformer model = TrainFixtures.tinyModel("qwen2", 5);
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 77, "tiny");
             Trainer trainer = new Trainer(model, adapters, new TrainingConfig(3, 2, 2, 5e-3, LrSchedule.Kind.LINEAR,
                     2, 1.0, 0.01, 32, 78, 0), rows(model))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.resume(tmp.resolve("checkpoint-1")));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("seed=77"), e.getMessage());
        }
    }
}
