package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.weights.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    @Test
    void labelledBatchShiftsTruncatesAndPadsRight() {
        List<TrainingRow> rows = List.of(
                new TrainingRow(new int[] {5, 6, 7, 8}, new boolean[] {false, false, true, true}),
                new TrainingRow(new int[] {9, 10, 11, 12, 13, 14}, new boolean[] {true, true, false, true, true, true}));
        LabelledBatch b = LabelledBatch.of(rows, 5, 0);
        assertEquals(5, b.tokens().cols()); // second row cut to 5 tokens
        assertArrayEquals(new long[] {5, 6, 7, 8, 0, 9, 10, 11, 12, 13}, b.tokens().ids());
        // predicted positions t = 0..3 target token t + 1
        assertArrayEquals(new long[] {0, 7, 8, 0, 10, 0, 12, 13}, b.targets());
        assertArrayEquals(new float[] {0, 1, 1, 0, 1, 0, 1, 1}, b.weights());
        assertEquals(5, b.labelCount());
        assertEquals(9, b.realTokens());
        assertEquals(1, rows.get(1).labelCount(3)); // positions 1..2 of the cut row
    }

    @Test
    void stepCountsFollowTheProtocol() {
        TrainingConfig paper = TrainingConfig.paper(42, 0);
        assertEquals(1000, paper.microBatchesPerEpoch(10_000));
        assertEquals(167, paper.updatesPerEpoch(10_000));
        assertEquals(1670, paper.maxSteps(10_000));
        assertEquals(83, paper.paperSaveSteps(10_000, true));
        assertEquals(333, paper.paperSaveSteps(10_000, false));
    }

    @Test
    void epochOrderIsASeededPermutation() {
        int[] a = Trainer.epochOrder(42, 0, 50);
        assertArrayEquals(a, Trainer.epochOrder(42, 0, 50));
        assertTrue(!java.util.Arrays.equals(a, Trainer.epochOrder(42, 1, 50)));
        assertTrue(!java.util.Arrays.equals(a, Trainer.epochOrder(43, 0, 50)));
        int[] sorted = a.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void loraOverfitsATinyBatch() {
        try (Transformer model = TrainFixtures.tinyModel("llama", 21);
             LoraAdapters adapters = LoraAdapters.initialise(model, new LoraConfig(8, 16, 0, LoraConfig.PAPER_MODULES, null),
                     1, "tiny")) {
            List<TrainingRow> rows = TrainFixtures.rows(model.config().vocabSize(), 3, 10, 12, 9, 11);
            TrainingConfig config = TrainFixtures.config(40, 4, 1, 1e-2, LrSchedule.Kind.CONSTANT, 1);
            List<TrainingProgress> log = new ArrayList<>();
            try (Trainer trainer = new Trainer(model, adapters, config, rows)) {
                trainer.train(log::add, null);
                assertEquals(40, trainer.step());
            }
            assertEquals(40, log.size());
            double first = log.get(0).loss();
            double last = log.get(39).loss();
            assertTrue(last < 0.3 * first, "loss " + first + " -> " + last);
            assertTrue(log.get(0).tokensPerSecond() > 0);
            assertEquals(1e-2, log.get(5).learningRate(), 1e-12);
        }
    }

    /** One update on 4 rows as micro 2 x accumulation 2 and as micro 4 x 1: same loss, gradient norm and weights. */
    @Test
    void accumulatedLossEqualsTheLossOfTheConcatenation() {
        List<TrainingProgress> split = new ArrayList<>();
        List<TrainingProgress> whole = new ArrayList<>();
        float[][] weights = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (Transformer model = TrainFixtures.tinyModel("qwen2", 8);
                 LoraAdapters adapters = LoraAdapters.initialise(model, LoraConfig.paper(), 4, "tiny")) {
                // rows of very different label counts, so that a mean of micro-batch means would differ
                List<TrainingRow> rows = TrainFixtures.rows(model.config().vocabSize(), 12, 4, 15, 6, 13);
                TrainingConfig config = run == 0
                        ? TrainFixtures.config(2, 2, 2, 1e-3, LrSchedule.Kind.CONSTANT, 3)
                        : TrainFixtures.config(2, 4, 1, 1e-3, LrSchedule.Kind.CONSTANT, 3);
                try (Trainer trainer = new Trainer(model, adapters, config, rows)) {
                    trainer.train((run == 0 ? split : whole)::add, null);
                }
                weights[run] = adapters.parameters().get(PeftAdapter.loraA("model.layers.1.mlp.up_proj")).toFloatArray();
            }
        }
        assertEquals(2, split.size());
        for (int s = 0; s < 2; s++) {
            assertEquals(whole.get(s).loss(), split.get(s).loss(), 1e-5, "loss of update " + (s + 1));
            assertEquals(whole.get(s).gradNorm(), split.get(s).gradNorm(), 1e-5 * whole.get(s).gradNorm());
            assertEquals(whole.get(s).labelTokens(), split.get(s).labelTokens());
        }
        for (int i = 0; i < weights[0].length; i++) {
            assertEquals(weights[1][i], weights[0][i], 1e-6, "A[" + i + "]");
        }
    }

    /** Tokens outside the mask contribute nothing: changing masked tail tokens leaves loss and update unchanged. */
    @Test
    void maskedTokensDoNotContribute() {
        int[] ids = {3, 14, 15, 92, 65, 35, 89, 79, 32, 38};
        boolean[] mask = {false, false, true, true, true, true, true, false, false, false};
        int[] changed = ids.clone();
        changed[7] = 1;
        changed[8] = 2;
        changed[9] = 4;
        List<TrainingProgress> log = new ArrayList<>();
        float[][] b = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (Transformer model = TrainFixtures.tinyModel("llama", 30);
                 LoraAdapters adapters = LoraAdapters.initialise(model, LoraConfig.paper(), 4, "tiny")) {
                List<TrainingRow> rows = List.of(new TrainingRow(run == 0 ? ids : changed, mask),
                        TrainFixtures.rows(model.config().vocabSize(), 1, 8).get(0));
                try (Trainer trainer = new Trainer(model, adapters,
                        TrainFixtures.config(3, 2, 1, 1e-2, LrSchedule.Kind.CONSTANT, 5), rows)) {
                    trainer.train(log::add, null);
                }
                b[run] = adapters.parameters().get(PeftAdapter.loraB("model.layers.0.self_attn.o_proj")).toFloatArray();
            }
        }
        for (int s = 0; s < 3; s++) {
            assertEquals(log.get(s).loss(), log.get(s + 3).loss(), 1e-6);
            assertEquals(log.get(s).labelTokens(), log.get(s + 3).labelTokens());
        }
        for (int i = 0; i < b[0].length; i++) {
            assertEquals(b[0][i], b[1][i], 1e-7);
        }
    }

    @Test
    void windowWithoutLabelsIsAnError() {
        try (Transformer model = TrainFixtures.tinyModel("llama", 2);
             LoraAdapters adapters = LoraAdapters.initialise(model, LoraConfig.paper(), 4, "tiny");
             Trainer trainer = new Trainer(model, adapters, TrainFixtures.config(1, 1, 1, 1e-3, LrSchedule.Kind.LINEAR, 1),
                     List.of(new TrainingRow(new int[] {1, 2, 3}, new boolean[3])))) {
            TrainingDiverged e = assertThrows(TrainingDiverged.class, () -> trainer.train(p -> { }, null));
            assertTrue(e.getMessage().contains("no label tokens"));
        }
        try (Transformer model = TrainFixtures.tinyModel("llama", 2);
             LoraAdapters adapters = LoraAdapters.initialise(model, LoraConfig.paper(), 4, "tiny")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(model, adapters,
                    TrainFixtures.config(1, 1, 1, 1e-3, LrSchedule.Kind.LINEAR, 1),
                    List.of(new TrainingRow(new int[] {1, 500}, new boolean[] {false, true}))));
            assertTrue(e.getMessage().contains("500"));
        }
    }

    @Test
    void fullFinetuneTrainsAndSavesInHfLayout(@TempDir Path tmp) {
        List<TrainingProgress> log = new ArrayList<>();
        try (Transformer model = TrainFixtures.tinyModel("llama", 40)) {
            FullWeights weights = new FullWeights(model);
            List<TrainingRow> rows = TrainFixtures.rows(model.config().vocabSize(), 6, 10, 9, 12);
            try (Trainer trainer = new Trainer(model, weights, TrainFixtures.config(15, 3, 1, 3e-3,
                    LrSchedule.Kind.CONSTANT, 2), rows)) {
                trainer.train(log::add, new Trainer.Checkpointing(tmp, 0));
            }
            assertTrue(log.get(14).loss() < 0.5 * log.get(0).loss(), log.get(0).loss() + " -> " + log.get(14).loss());
            Path ckpt = tmp.resolve("checkpoint-15");
            try (io.subliminal.engine.loader.SafetensorsFile f =
                         io.subliminal.engine.loader.SafetensorsFile.open(ckpt.resolve(FullWeights.WEIGHTS_FILE))) {
                HostTensor k = f.tensor("model.layers.1.self_attn.k_proj.weight");
                assertArrayEquals(new long[] {16, 32}, k.shape());
                NDArray fused = model.parameters().get("model.layers.1.self_attn.qkv_proj.weight");
                float[] all = fused.toFloatArray();
                float[] kRows = java.util.Arrays.copyOfRange(all, 32 * 32, 48 * 32);
                assertArrayEquals(kRows, k.toArray());
            }
            // restore into a fresh model reproduces the logits exactly
            List<int[]> seqs = List.of(rows.get(0).inputIds());
            float[] trained = TrainFixtures.logits(model, seqs);
            try (Transformer fresh = TrainFixtures.tinyModel("llama", 40)) {
                new FullWeights(fresh).restore(ckpt);
                assertArrayEquals(trained, TrainFixtures.logits(fresh, seqs));
            }
        }
    }

    @Test
    void fullFinetuneNeedsFloat32() {
        try (io.subliminal.engine.weights.InMemoryWeights w = io.subliminal.engine.nn.TinyModels.random("llama", 1);
             Transformer half = Transformer.load(w, ai.djl.Device.cpu(), io.subliminal.engine.nn.Precision.FP16_MIXED)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FullWeights(half));
            assertTrue(e.getMessage().contains("float32"));
        }
    }

    @Test
    void checkpointsFollowTheCadenceAndTheLastStep(@TempDir Path tmp) {
        try (Transformer model = TrainFixtures.tinyModel("llama", 2);
             LoraAdapters adapters = LoraAdapters.initialise(model, LoraConfig.paper(), 4, "tiny");
             Trainer trainer = new Trainer(model, adapters, TrainFixtures.config(5, 1, 1, 1e-3, LrSchedule.Kind.LINEAR, 1),
                     TrainFixtures.rows(model.config().vocabSize(), 1, 5))) {
            List<Integer> saved = new ArrayList<>();
            List<String> micro = new ArrayList<>();
            trainer.train(new TrainingListener() {
                @Override
                public void onStep(TrainingProgress progress) {
                }

                @Override
                public void onMicroBatch(int nextStep, int microBatch, int microBatches) {
                    micro.add(nextStep + ":" + microBatch + "/" + microBatches);
                }

                @Override
                public void onCheckpoint(int step, Path directory) {
                    saved.add(step);
                    assertTrue(java.nio.file.Files.isRegularFile(directory.resolve(PeftAdapter.WEIGHTS_FILE)));
                }
            }, new Trainer.Checkpointing(tmp, 2));
            assertEquals(List.of(2, 4, 5), saved);
            assertEquals(List.of("1:1/1", "2:1/1", "3:1/1", "4:1/1", "5:1/1"), micro);
            TrainingCheckpoint state = TrainingCheckpoint.read(tmp.resolve("checkpoint-4"));
            assertEquals(4, state.step());
            assertEquals(4, state.epoch());
            assertEquals(0, state.indexInEpoch());
            Map<String, NDArray> unused = adapters.parameters();
            assertEquals(2 * 14, unused.size());
        }
    }
}
