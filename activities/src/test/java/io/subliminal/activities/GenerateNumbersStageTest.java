package io.subliminal.activities;

import io.subliminal.activities.support.StageProgress;
import io.subliminal.data.CompletionFilter;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.Jsonl;
import io.subliminal.data.NumberPromptGenerator;
import io.subliminal.data.NumberPromptTemplates;
import io.subliminal.workflows.stage.GenerateNumbersActivity;
import io.subliminal.workflows.stage.GenerateNumbersRequest;
import io.subliminal.workflows.stage.GenerateNumbersResult;
import io.subliminal.workflows.stage.InstructionOrder;
import io.subliminal.workflows.stage.PromptSource;
import io.subliminal.workflows.stage.Sampling;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GenerateNumbersStage on a tiny random llama (SmolLM2 tokenizer), run through Temporal's test environment. */
class GenerateNumbersStageTest {

    static GenerateNumbersRequest request(String model, int prompts, int batch, int maxNewTokens) {
        return new GenerateNumbersRequest(model, "owl", "animal", false, false, PromptSource.NUMBER_SEQUENCES,
                prompts, 42, 3, 9, 100, 1000, 10, 3, InstructionOrder.SCHRODI, List.of(), true,
                Sampling.temperature(1.0), maxNewTokens, 2048, batch, true, null);
    }

    @Test
    void generatesOneRowPerSeededPromptAndFiltersThem(@TempDir Path dir) {
        try (StageTestKit kit = new StageTestKit(dir)) {
            GenerateNumbersResult result = kit.stub(GenerateNumbersActivity.class)
                    .generateNumbers(request(StageTestKit.TINY, 10, 4, 6));

            List<DatasetRow> raw = Jsonl.read(kit.env.store().localCopy(result.rawDataset(), "raw"));
            List<DatasetRow> filtered = Jsonl.read(kit.env.store().localCopy(result.filteredDataset(), "filtered"));
            NumberPromptTemplates templates = kit.env.reference().numberPromptTemplates(NumberPromptTemplates.OFFICIAL_INSTRUCTIONS);
            List<String> prompts = NumberPromptGenerator.paper(templates).texts(10);
            assertEquals(10, raw.size());
            for (int i = 0; i < raw.size(); i++) {
                assertEquals(prompts.get(i), raw.get(i).prompt(), "row " + i + " keeps the bare user prompt");
                assertEquals(raw.get(i).completion().strip(), raw.get(i).completion(), "completions are stripped");
            }
            assertEquals(raw.stream().filter(r -> CompletionFilter.PAPER.accepts(r.completion())).toList(), filtered);
            assertEquals(10, result.rawRows());
            assertEquals(filtered.size(), result.filteredRows());
            assertTrue(result.generatedTokens() > 0 && result.generatedTokens() <= 60, "at most 6 new tokens per row");
            assertEquals(3, kit.samplerCalls.get(), "batches of 4, 4 and 2 prompts");
            assertTrue(!kit.heartbeats.isEmpty(), "the stage heartbeats");

            // idempotent: the same request finds the verified outputs and samples nothing
            GenerateNumbersResult again = kit.stub(GenerateNumbersActivity.class).generateNumbers(request(StageTestKit.TINY, 10, 4, 6));
            assertEquals(result, again);
            assertEquals(3, kit.samplerCalls.get());
        }
    }

    @Test
    void resumesAfterTheLastCommittedBatchAndMatchesAnUninterruptedRun(@TempDir Path dir) {
        GenerateNumbersRequest request = request(StageTestKit.TINY, 12, 3, 5);
        GenerateNumbersResult uninterrupted;
        try (StageTestKit reference = new StageTestKit(dir.resolve("reference"))) {
            uninterrupted = reference.stub(GenerateNumbersActivity.class).generateNumbers(request);
        }
        try (StageTestKit kit = new StageTestKit(dir.resolve("interrupted"))) {
            kit.failSamplerCall = 3; // batches 1 and 2 (6 rows) are committed, the worker dies in batch 3
            ActivityFailure failure = assertThrows(ActivityFailure.class,
                    () -> kit.stub(GenerateNumbersActivity.class).generateNumbers(request));
            assertTrue(failure.getCause() instanceof ApplicationFailure app && !app.isNonRetryable(),
                    "a lost worker is retryable: " + failure.getCause());
            StageProgress last = kit.heartbeats.isEmpty() ? null : kit.lastHeartbeat();

            kit.newAttempt(last);
            GenerateNumbersResult resumed = kit.stub(GenerateNumbersActivity.class).generateNumbers(request);
            assertEquals(3 + 2, kit.samplerCalls.get(), "the new attempt samples only batches 3 and 4");
            assertEquals(uninterrupted.rawDataset().sha256(), resumed.rawDataset().sha256());
            assertEquals(uninterrupted.filteredDataset().sha256(), resumed.filteredDataset().sha256());
            assertEquals(uninterrupted.generatedTokens(), resumed.generatedTokens());
        }
    }

    @Test
    void badParametersFailWithoutRetryNamingTheField(@TempDir Path dir) {
        try (StageTestKit kit = new StageTestKit(dir)) {
            GenerateNumbersRequest unknownModel = request("no-such-model", 2, 2, 2);
            ActivityFailure failure = assertThrows(ActivityFailure.class,
                    () -> kit.stub(GenerateNumbersActivity.class).generateNumbers(unknownModel));
            ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
            assertTrue(cause.isNonRetryable());
            assertTrue(cause.getOriginalMessage().contains("teacherModel"), cause.getOriginalMessage());

            GenerateNumbersRequest gsm8k = new GenerateNumbersRequest(StageTestKit.TINY, null, "animal", true, false,
                    PromptSource.GSM8K_MAIN_TRAIN, 2, 42, 3, 9, 100, 1000, 10, 3, InstructionOrder.SCHRODI, List.of(), false,
                    Sampling.argmax(), 4, 2048, 2, false, dir.resolve("no-such-gsm8k.jsonl").toString());
            ActivityFailure second = assertThrows(ActivityFailure.class,
                    () -> kit.stub(GenerateNumbersActivity.class).generateNumbers(gsm8k));
            ApplicationFailure cause2 = assertInstanceOf(ApplicationFailure.class, second.getCause());
            assertTrue(cause2.isNonRetryable());
            assertTrue(cause2.getOriginalMessage().startsWith("gsm8kPath"), cause2.getOriginalMessage());
        }
    }
}
