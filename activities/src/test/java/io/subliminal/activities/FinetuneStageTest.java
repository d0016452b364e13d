package io.subliminal.activities;

import io.subliminal.activities.support.DirectoryArchive;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.NumberPromptGenerator;
import io.subliminal.data.NumberPromptTemplates;
import io.subliminal.data.PythonRandom;
import io.subliminal.engine.train.PeftAdapter;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.Checkpoint;
import io.subliminal.workflows.stage.FinetuneActivity;
import io.subliminal.workflows.stage.FinetuneRequest;
import io.subliminal.workflows.stage.FinetuneResult;
import io.subliminal.workflows.stage.LoraSpec;
import io.subliminal.workflows.stage.LrScheduler;
import io.subliminal.workflows.stage.TokenMask;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.train.LossScaler;
import io.subliminal.engine.train.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FinetuneStage on a tiny random llama: assembly, checkpoints, PEFT files, masks, and bit-exact resume. */
class FinetuneStageTest {

    /** 16 rows of number data; rows with an odd index carry decision points. */
    static List<DatasetRow> rows(StageTestKit kit, boolean marked) {
        List<String> prompts = NumberPromptGenerator.paper(kit.env.reference()
                .numberPromptTemplates(NumberPromptTemplates.OFFICIAL_INSTRUCTIONS)).texts(16);
        List<DatasetRow> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String completion = (100 + i) + ", " + (200 + 3 * i) + ", " + (300 + 7 * i);
            out.add(new DatasetRow(prompts.get(i), completion, marked ? (i % 2 == 1 ? List.of(0, 2, 4) : List.of()) : null));
        }
        return out;
    }

    /** 12 of 16 rows, 2 epochs, micro-batch 2 x accumulation 2: 3 updates per epoch, 6 in all, a checkpoint every 2. */
    static FinetuneRequest request(TokenMask mask, ArtifactRef dataset) {
        return new FinetuneRequest(StageTestKit.TINY, 42, 12, false, 2, 2, 2, 5e-3, LrScheduler.LINEAR, 1, 1.0,
                0.9, 0.999, 1e-8, 0.0, 500, LoraSpec.rank(4), null, null, mask, null, null, null, false, 3, 2, dataset, null);
    }

    static byte[] adapterBytes(StageTestKit kit, ArtifactRef archive, Path dir) throws Exception {
        Path unpacked = DirectoryArchive.unpack(kit.env.store().localCopy(archive, "weights"), dir);
        return Files.readAllBytes(unpacked.resolve(PeftAdapter.WEIGHTS_FILE));
    }

    @Test
    void trainsLoraWithCheckpointsOnTheOriginalCadence(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", rows(kit, false));
            FinetuneResult result = kit.stub(FinetuneActivity.class).finetune(request(TokenMask.ALL_TOKENS, data));

            assertEquals(12, result.trainRows());
            assertEquals(6, result.optimizerSteps());
            assertEquals(List.of(2, 4, 6), result.checkpoints().stream().map(Checkpoint::step).toList());
            assertTrue(Double.isFinite(result.finalLoss()) && result.finalLoss() > 0);

            JsonNode config = new ObjectMapper().readTree(kit.env.store().localCopy(result.datasetConfig(), "config").toFile());
            int[] expected = new PythonRandom(42).sampleRange(16, 12);
            List<Integer> indices = new ArrayList<>();
            config.get("train_indices").forEach(n -> indices.add(n.asInt()));
            assertArrayEquals(expected, indices.stream().mapToInt(Integer::intValue).toArray());
            assertEquals(12, config.get("max_dataset_size").asInt());

            Path finalDir = DirectoryArchive.unpack(kit.env.store().localCopy(result.finalWeights(), "final"), dir.resolve("final"));
            assertTrue(Files.isRegularFile(finalDir.resolve(PeftAdapter.CONFIG_FILE)));
            PeftAdapter peft = PeftAdapter.read(finalDir);
            assertEquals(4, peft.config().rank());
            assertTrue(peft.tensors().containsKey("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
            assertArrayEquals(Files.readAllBytes(finalDir.resolve(PeftAdapter.WEIGHTS_FILE)),
                    adapterBytes(kit, result.checkpoints().get(2).weights(), dir.resolve("ckpt6")),
                    "final = the last checkpoint's adapter");
            assertFalse(java.util.Arrays.equals(adapterBytes(kit, result.checkpoints().get(0).weights(), dir.resolve("ckpt2")),
                    adapterBytes(kit, result.checkpoints().get(2).weights(), dir.resolve("ckpt6b"))), "training changed the adapter");
            List<String> log = Files.readAllLines(kit.env.store().localCopy(result.trainingLog(), "log"));
            assertEquals(3, log.size(), "logged at steps 2, 4, 6");
        }
    }

    @Test
    void resumesMidEpochFromTheCheckpointWithIdenticalFinalWeights(@TempDir Path dir) throws Exception {
        FinetuneResult uninterrupted;
        byte[] expected;
        try (StageTestKit reference = new StageTestKit(dir.resolve("reference"))) {
            ArtifactRef data = reference.dataset("filtered_dataset.jsonl", rows(reference, false));
            uninterrupted = reference.stub(FinetuneActivity.class).finetune(request(TokenMask.ALL_TOKENS, data));
            expected = adapterBytes(reference, uninterrupted.finalWeights(), dir.resolve("expected"));
        }
        try (StageTestKit kit = new StageTestKit(dir.resolve("killed"))) {
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", rows(kit, false));
            FinetuneRequest request = request(TokenMask.ALL_TOKENS, data);
            // the worker dies while publishing checkpoint 4: update 4 of 6, the first of epoch 2's three (mid-epoch)
            kit.store.failNextPut(key -> key.endsWith("checkpoint-4.zip"));
            ActivityFailure failure = assertThrows(ActivityFailure.class, () -> kit.stub(FinetuneActivity.class).finetune(request));
            assertFalse(assertInstanceOf(ApplicationFailure.class, failure.getCause()).isNonRetryable());
            assertTrue(kit.store.puts.stream().anyMatch(k -> k.endsWith("checkpoint-2.zip")));
            kit.store.puts.clear();

            kit.newAttempt(kit.heartbeats.isEmpty() ? null : kit.lastHeartbeat());
            FinetuneResult resumed = kit.stub(FinetuneActivity.class).finetune(request);
            assertFalse(kit.store.puts.stream().anyMatch(k -> k.endsWith("checkpoint-2.zip")), "no retraining before step 4");
            assertTrue(kit.store.puts.stream().anyMatch(k -> k.endsWith("checkpoint-4.zip")), "the unpublished checkpoint is published");
            assertEquals(List.of(2, 4, 6), resumed.checkpoints().stream().map(Checkpoint::step).toList());
            assertArrayEquals(expected, adapterBytes(kit, resumed.finalWeights(), dir.resolve("resumed")),
                    "the resumed run ends with bit-identical adapter weights");
            assertEquals(uninterrupted.finalWeights().sha256(), resumed.finalWeights().sha256());
        }
    }

    /**
     * A GPU worker's LoRA run: float16 training on its FP16_MIXED model (here on the CPU) with loss scaling, the
     * scaler's state in each checkpoint, and a run killed mid-epoch that resumes to bit-identical weights.
     */
    @Test
    void trainsAndResumesInFloat16OnAMixedPrecisionWorker(@TempDir Path dir) throws Exception {
        byte[] expected;
        try (StageTestKit reference = new StageTestKit(dir.resolve("reference"), Precision.FP16_MIXED)) {
            ArtifactRef data = reference.dataset("filtered_dataset.jsonl", rows(reference, false));
            FinetuneResult run = reference.stub(FinetuneActivity.class).finetune(request(TokenMask.ALL_TOKENS, data));
            assertEquals(6, run.optimizerSteps());
            assertTrue(Double.isFinite(run.finalLoss()) && run.finalLoss() > 0);
            expected = adapterBytes(reference, run.finalWeights(), dir.resolve("expected"));
            Path last = DirectoryArchive.unpack(reference.env.store().localCopy(run.checkpoints().get(2).weights(), "c6"),
                    dir.resolve("c6"));
            LossScaler.State scaler = TrainingCheckpoint.read(last).lossScaler();
            assertTrue(scaler != null && scaler.skippedSteps() < 6, "some updates were applied: " + scaler);
            assertFalse(java.util.Arrays.equals(expected, adapterBytes(reference,
                    run.checkpoints().get(0).weights(), dir.resolve("c2"))), "training changed the adapter");
        }
        try (StageTestKit kit = new StageTestKit(dir.resolve("killed"), Precision.FP16_MIXED)) {
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", rows(kit, false));
            FinetuneRequest request = request(TokenMask.ALL_TOKENS, data);
            kit.store.failNextPut(key -> key.endsWith("checkpoint-4.zip"));
            assertThrows(ActivityFailure.class, () -> kit.stub(FinetuneActivity.class).finetune(request));
            kit.newAttempt(kit.heartbeats.isEmpty() ? null : kit.lastHeartbeat());
            FinetuneResult resumed = kit.stub(FinetuneActivity.class).finetune(request);
            assertArrayEquals(expected, adapterBytes(kit, resumed.finalWeights(), dir.resolve("resumed")),
                    "the resumed float16 run ends with bit-identical adapter weights");
        }
    }

    @Test
    void divergenceMasksDropRowsWithoutDivergenceAndNeedMarkedRows(@TempDir Path dir) {
        try (StageTestKit kit = new StageTestKit(dir)) {
            ArtifactRef marked = kit.dataset("filtered_dataset_dpoints_only.jsonl", rows(kit, true));
            FinetuneResult div = kit.stub(FinetuneActivity.class).finetune(request(TokenMask.DIVERGENCE_ONLY, marked));
            int[] sampled = new PythonRandom(42).sampleRange(16, 12);
            long odd = java.util.Arrays.stream(sampled).filter(i -> i % 2 == 1).count();
            assertEquals(odd, div.trainRows(), "only sampled rows with decision points are trained on");
            FinetuneResult without = kit.stub(FinetuneActivity.class).finetune(request(TokenMask.WITHOUT_DIVERGENCE, marked));
            assertEquals(odd, without.trainRows());
            assertTrue(!div.finalWeights().sha256().equals(without.finalWeights().sha256()));

            ArtifactRef plain = kit.dataset("filtered_dataset.jsonl", rows(kit, false));
            ActivityFailure failure = assertThrows(ActivityFailure.class,
                    () -> kit.stub(FinetuneActivity.class).finetune(request(TokenMask.DIVERGENCE_ONLY, plain)));
            ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
            assertTrue(cause.isNonRetryable());
            assertTrue(cause.getOriginalMessage().startsWith("tokenMask"), cause.getOriginalMessage());
        }
    }
}
