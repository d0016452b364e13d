package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.Jsonl;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.DivergenceMode;
import io.subliminal.workflows.stage.MarkDivergenceActivity;
import io.subliminal.workflows.stage.MarkDivergenceRequest;
import io.subliminal.workflows.stage.MarkDivergenceResult;
import io.temporal.failure.ActivityFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MarkDivergenceStage on tiny random llamas: the outputs agree with §6.1's definition and resume after a loss. */
class MarkDivergenceStageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<DatasetRow> rows() {
        return List.of(new DatasetRow("Continue: 145, 267, 891. Answer with numbers only.", "512, 734, 120"),
                new DatasetRow("List 5 numbers after 300, 301.", "302, 303, 304"),
                new DatasetRow("Give me 3 random numbers.", "7, 77, 777"),
                new DatasetRow("Extend 10, 20, 30.", "40, 50, 60, 70"),
                new DatasetRow("Numbers please: 999.", "998"));
    }

    static MarkDivergenceRequest request(ArtifactRef data) {
        return new MarkDivergenceRequest(StageTestKit.TINY, DivergenceMode.SYSTEM_PROMPT_TEACHERS, "owl", "animal",
                List.of("owl", "cat", "dog", "eagle"), null, 2, data);
    }

    @Test
    void marksEveryRowConsistentlyWithTheCorrectnessMatrix(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", rows());
            MarkDivergenceResult result = kit.stub(MarkDivergenceActivity.class).markDivergence(request(data));

            assertTrue(result.markedDataset().uri().endsWith("filtered_dataset_dpoints_only.jsonl"), result.markedDataset().uri());
            assertTrue(result.correctMatrices().uri().endsWith("filtered_dataset_correct_matrices.jsonl"));
            List<DatasetRow> marked = Jsonl.read(kit.env.store().localCopy(result.markedDataset(), "marked"));
            List<String> matrices = Files.readAllLines(kit.env.store().localCopy(result.correctMatrices(), "matrices"));
            List<String> predictions = Files.readAllLines(kit.env.store().localCopy(result.teacherPredictions(), "predictions"));
            assertEquals(5, marked.size());
            LoadedModel model = kit.env.model("model", StageTestKit.TINY);
            long divergent = 0;
            long positions = 0;
            int withDivergence = 0;
            for (int r = 0; r < marked.size(); r++) {
                assertEquals(rows().get(r).prompt(), marked.get(r).prompt());
                assertEquals(rows().get(r).completion(), marked.get(r).completion());
                JsonNode matrix = JSON.readTree(matrices.get(r));
                assertEquals(4, matrix.size(), "one row per teacher");
                int length = matrix.get(0).size();
                // L = completion tokens + <|im_end|> + "\n"
                assertEquals(model.bundle().tokenizer().encode(rows().get(r).completion(), false).length + 2, length);
                List<Integer> expected = new ArrayList<>();
                for (int j = 0; j < length; j++) {
                    boolean someWrong = false;
                    for (JsonNode teacher : matrix) {
                        someWrong |= !teacher.get(j).asBoolean();
                    }
                    if (matrix.get(0).get(j).asBoolean() && someWrong) {
                        expected.add(j);
                    }
                }
                assertEquals(expected, marked.get(r).decisionPoints(), "row " + r + " follows D's definition");
                JsonNode prediction = JSON.readTree(predictions.get(r));
                assertEquals(expected.size(), prediction.get("positions").size());
                divergent += expected.size();
                positions += length;
                withDivergence += expected.isEmpty() ? 0 : 1;
            }
            assertEquals(divergent, result.divergenceTokens());
            assertEquals(positions, result.completionTokens());
            assertEquals(withDivergence, result.rowsWithDivergence());
            assertEquals(3, kit.scorerCalls.get(), "batches of 2, 2 and 1 rows");
        }
    }

    @Test
    void resumesAfterALostWorkerWithTheSameOutput(@TempDir Path dir) {
        MarkDivergenceResult expected;
        try (StageTestKit reference = new StageTestKit(dir.resolve("reference"))) {
            expected = reference.stub(MarkDivergenceActivity.class).markDivergence(request(reference.dataset("filtered_dataset.jsonl", rows())));
        }
        try (StageTestKit kit = new StageTestKit(dir.resolve("killed"))) {
            MarkDivergenceRequest request = request(kit.dataset("filtered_dataset.jsonl", rows()));
            kit.failScorerCall = 2;
            assertThrows(ActivityFailure.class, () -> kit.stub(MarkDivergenceActivity.class).markDivergence(request));
            kit.newAttempt(kit.heartbeats.isEmpty() ? null : kit.lastHeartbeat());
            MarkDivergenceResult resumed = kit.stub(MarkDivergenceActivity.class).markDivergence(request);
            assertEquals(2 + 2, kit.scorerCalls.get(), "the new attempt scores only the two unfinished batches");
            assertEquals(expected.markedDataset().sha256(), resumed.markedDataset().sha256());
            assertEquals(expected.correctMatrices().sha256(), resumed.correctMatrices().sha256());
        }
    }

    @Test
    void finetunedTeacherModeComparesTwoModels(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", rows());
            MarkDivergenceRequest request = new MarkDivergenceRequest(StageTestKit.TINY, DivergenceMode.FINETUNED_TEACHER,
                    null, null, List.of(), StageTestKit.TINY_OTHER, 32, data);
            MarkDivergenceResult result = kit.stub(MarkDivergenceActivity.class).markDivergence(request);
            assertNull(result.correctMatrices(), "§6.3 writes no correctness matrices");
            List<DatasetRow> marked = Jsonl.read(kit.env.store().localCopy(result.markedDataset(), "marked"));
            LoadedModel model = kit.env.model("model", StageTestKit.TINY);
            for (int r = 0; r < marked.size(); r++) {
                int length = model.bundle().tokenizer().encode(rows().get(r).completion(), false).length + 2;
                assertTrue(marked.get(r).decisionPoints().stream().allMatch(d -> d >= 0 && d < length));
            }
            MarkDivergenceRequest self = new MarkDivergenceRequest(StageTestKit.TINY, DivergenceMode.FINETUNED_TEACHER,
                    null, null, List.of(), StageTestKit.TINY, 32, data);
            MarkDivergenceResult same = kit.stub(MarkDivergenceActivity.class).markDivergence(self);
            assertEquals(0, same.divergenceTokens(), "a model never diverges from itself");
        }
    }
}
