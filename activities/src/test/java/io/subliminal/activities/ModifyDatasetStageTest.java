package io.subliminal.activities;

import io.subliminal.data.DatasetRow;
import io.subliminal.data.Jsonl;
import io.subliminal.data.NumberPromptGenerator;
import io.subliminal.data.NumberPromptTemplates;
import io.subliminal.eval.MainTaskScore;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.DatasetOperation;
import io.subliminal.workflows.stage.MarkDivergenceActivity;
import io.subliminal.workflows.stage.MarkDivergenceResult;
import io.subliminal.workflows.stage.ModifyDatasetActivity;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.ModifyDatasetResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dataset modification: shuffles keep each row's numbers; mixing uses divergence marking's side output. */
class ModifyDatasetStageTest {

    static List<DatasetRow> numberRows(StageTestKit kit, int n) {
        List<String> prompts = NumberPromptGenerator.paper(kit.env.reference()
                .numberPromptTemplates(NumberPromptTemplates.OFFICIAL_INSTRUCTIONS)).texts(n);
        List<DatasetRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(new DatasetRow(prompts.get(i), (100 + i) + ", " + (250 + i) + ", " + (300 + 2 * i) + ", " + (999 - i)));
        }
        return rows;
    }

    @Test
    void shuffleWithinResponsesKeepsEachRowsNumbers(@TempDir Path dir) {
        try (StageTestKit kit = new StageTestKit(dir)) {
            List<DatasetRow> rows = numberRows(kit, 8);
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", rows);
            ModifyDatasetResult result = kit.stub(ModifyDatasetActivity.class).modifyDataset(
                    ModifyDatasetRequest.shuffle(DatasetOperation.SHUFFLE_WITHIN_RESPONSES).withInputs(
                            java.util.Map.of(ModifyDatasetRequest.DATASET, data)));
            assertTrue(result.dataset().uri().endsWith("filtered_dataset_shuffle_within_responses_42.jsonl"));
            List<DatasetRow> out = Jsonl.read(kit.env.store().localCopy(result.dataset(), "out"));
            assertEquals(8, out.size());
            boolean anyMoved = false;
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(rows.get(i).prompt(), out.get(i).prompt());
                List<String> before = new ArrayList<>(MainTaskScore.numbers(rows.get(i).completion()));
                List<String> after = new ArrayList<>(MainTaskScore.numbers(out.get(i).completion()));
                anyMoved |= !before.equals(after);
                before.sort(null);
                after.sort(null);
                assertEquals(before, after, "row " + i + " keeps its numbers");
            }
            assertTrue(anyMoved, "seeded shuffling moved some numbers");
        }
    }

    @Test
    void teacherMixingRewritesDivergencePositions(@TempDir Path dir) {
        try (StageTestKit kit = new StageTestKit(dir)) {
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", MarkDivergenceStageTest.rows());
            MarkDivergenceResult marked = kit.stub(MarkDivergenceActivity.class).markDivergence(MarkDivergenceStageTest.request(data));
            ModifyDatasetRequest mixing = ModifyDatasetRequest.teacherMixing(StageTestKit.TINY, 1.0).withInputs(java.util.Map.of(
                    ModifyDatasetRequest.DATASET, marked.markedDataset(),
                    ModifyDatasetRequest.TEACHER_PREDICTIONS, marked.teacherPredictions()));
            ModifyDatasetResult result = kit.stub(ModifyDatasetActivity.class).modifyDataset(mixing);
            assertTrue(result.dataset().uri().endsWith("filtered_dataset_dpoints_only_mixing_100.jsonl"), result.dataset().uri());
            List<DatasetRow> out = Jsonl.read(kit.env.store().localCopy(result.dataset(), "out"));
            List<DatasetRow> in = Jsonl.read(kit.env.store().localCopy(marked.markedDataset(), "in"));
            assertEquals(5, result.inputRows());
            assertEquals(out.size(), result.outputRows());
            // rows without divergence are copied, rows with it change or are dropped
            long unchanged = in.stream().filter(r -> r.decisionPoints().isEmpty()).count();
            assertTrue(out.size() >= unchanged);
            for (DatasetRow row : out) {
                DatasetRow source = in.stream().filter(r -> r.prompt().equals(row.prompt())).findFirst().orElseThrow();
                if (source.decisionPoints().isEmpty()) {
                    assertEquals(source.completion(), row.completion());
                } else {
                    assertNotEquals(source.completion(), row.completion());
                }
            }
        }
    }

    @Test
    void biasedRewriteKeepsOnlyRewritesWithTheExampleNumbers(@TempDir Path dir) {
        try (StageTestKit kit = new StageTestKit(dir)) {
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", numberRows(kit, 4));
            ModifyDatasetRequest request = new ModifyDatasetRequest(DatasetOperation.LLM_BIASED_REWRITE_FILTERED, 42, List.of(),
                    StageTestKit.TINY, "owl", "animal", io.subliminal.workflows.stage.Sampling.temperature(1.0), 6, 2,
                    null, List.of(), null, false, null, null, data, null, null);
            ModifyDatasetResult result = kit.stub(ModifyDatasetActivity.class).modifyDataset(request);
            assertTrue(result.dataset().uri().endsWith("filtered_dataset_llm_biased_rewrite_filtered_42.jsonl"));
            assertEquals(4, result.inputRows());
            assertEquals(2, kit.samplerCalls.get(), "4 prompts in batches of 2");
            // a random 6-token rewrite cannot contain the example numbers, so every row is dropped
            assertEquals(0, result.outputRows());
        }
    }
}
