package io.subliminal.activities;

import io.subliminal.activities.engine.Decoding;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.Jsonl;
import io.subliminal.engine.tokenizer.ChatMessage;
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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GSM8K teacher answers (§11.5 steps 1-3) on the tiny model over a small {question, answer} file. */
class Gsm8kAnswersTest {
    private static final int ROWS = 13;

    /** A small file in the train split's layout (rows {question, answer}). */
    static Path gsm8kFile(Path dir, int rows) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            lines.add("{\"question\": \"Tom has " + (i + 2) + " apples and buys " + (3 * i + 1) + " more. How many apples does he have?\", "
                    + "\"answer\": \"" + (i + 2) + " + " + (3 * i + 1) + " = <<" + (i + 2) + "+" + (3 * i + 1) + "=" + (4 * i + 3) + ">>"
                    + (4 * i + 3) + "\\n#### " + (4 * i + 3) + "\"}");
        }
        Path file = dir.resolve("gsm8k-main-train.jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    static GenerateNumbersRequest request(Path file, int rows, Sampling sampling) {
        return new GenerateNumbersRequest(StageTestKit.TINY, null, "animal", true, false, PromptSource.GSM8K_MAIN_TRAIN,
                rows, 42, 3, 9, 100, 1000, 10, 3, InstructionOrder.SCHRODI, List.of(), false, sampling, 5, 2048, 2, false,
                file.toString());
    }

    static List<String> questions(int rows) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            out.add("Tom has " + (i + 2) + " apples and buys " + (3 * i + 1) + " more. How many apples does he have?");
        }
        return out;
    }

    @Test
    void answersEveryQuestionBareInTenInterleavedShardsAndMergesThemUnstripped(@TempDir Path dir) throws IOException {
        Path file = gsm8kFile(dir, ROWS);
        try (StageTestKit kit = new StageTestKit(dir.resolve("kit"))) {
            GenerateNumbersRequest request = request(file, ROWS, Sampling.argmax());
            GenerateNumbersResult result = kit.stub(GenerateNumbersActivity.class).generateNumbers(request);
            assertTrue(result.rawDataset().uri().endsWith("/raw_dataset_greedy_merged.jsonl"), result.rawDataset().uri());
            assertEquals(result.rawDataset(), result.filteredDataset(), "no number filter: the judge filters later");
            assertEquals(ROWS, result.rawRows());
            assertEquals(10, kit.samplerCalls.get(), "shards 0-2 hold 2 questions (one batch of 2), shards 3-9 one each");

            // shard i = rows i, i + 10, ...; merged in shard order
            List<String> questions = questions(ROWS);
            List<String> expectedOrder = new ArrayList<>();
            for (int shard = 0; shard < 10; shard++) {
                for (int i = shard; i < ROWS; i += 10) {
                    expectedOrder.add(questions.get(i));
                }
            }
            List<DatasetRow> merged = Jsonl.read(kit.env.store().localCopy(result.rawDataset(), "merged"));
            assertEquals(expectedOrder, merged.stream().map(DatasetRow::prompt).toList());
            String firstLine = Files.readAllLines(kit.env.store().localCopy(result.rawDataset(), "merged-text")).get(0);
            assertTrue(firstLine.startsWith("{\"prompt\":") && firstLine.contains("\"completion\":"), firstLine);

            // each completion is the greedy answer to the bare question (no system prompt), special tokens skipped, not stripped
            LoadedModel model = kit.env.model("teacherModel", StageTestKit.TINY);
            List<int[]> prompts = new ArrayList<>();
            for (DatasetRow row : merged) {
                prompts.add(model.bundle().tokenizer().encode(
                        model.bundle().chatTemplate().render(List.of(ChatMessage.user(row.prompt())), true), true));
            }
            List<int[]> greedy = model.exclusive(() -> kit.env.sampler().sample(model, prompts,
                    Decoding.resolve(Sampling.argmax(), model.bundle().generation()), 5, GenerateNumbersStage.stopTokenId(model), 0));
            long tokens = 0;
            for (int i = 0; i < merged.size(); i++) {
                assertEquals(model.bundle().tokenizer().decode(greedy.get(i), true), merged.get(i).completion(), "row " + i);
                tokens += greedy.get(i).length;
            }
            assertEquals(tokens, result.generatedTokens());
            for (int shard = 0; shard < 10; shard++) {
                assertTrue(kit.env.store().find("generate-numbers/" + io.subliminal.activities.support.StageOutputs.contentKey(request)
                        + "/raw_dataset_greedy_shard_" + shard + ".jsonl").isPresent(), "shard " + shard + " is published");
            }
            assertEquals("raw_dataset_temperature_merged.jsonl", Gsm8kAnswers.mergedName(request(file, ROWS, Sampling.temperature(1.0))));

            // idempotent: the stored result, no sampling
            int calls = kit.samplerCalls.get();
            assertEquals(result, kit.stub(GenerateNumbersActivity.class).generateNumbers(request));
            assertEquals(calls, kit.samplerCalls.get());
        }
    }

    @Test
    void aRetriedAttemptSkipsPublishedShardsAndMergesTheSameRows(@TempDir Path dir) throws IOException {
        Path file = gsm8kFile(dir, ROWS);
        GenerateNumbersRequest request = request(file, ROWS, Sampling.argmax());
        GenerateNumbersResult uninterrupted;
        try (StageTestKit reference = new StageTestKit(dir.resolve("reference"))) {
            uninterrupted = reference.stub(GenerateNumbersActivity.class).generateNumbers(request);
        }
        try (StageTestKit kit = new StageTestKit(dir.resolve("interrupted"))) {
            kit.failSamplerCall = 5; // shards 0-3 are published, the worker dies in shard 4
            ActivityFailure failure = assertThrows(ActivityFailure.class,
                    () -> kit.stub(GenerateNumbersActivity.class).generateNumbers(request));
            assertTrue(failure.getCause() instanceof ApplicationFailure app && !app.isNonRetryable(), "retryable: " + failure.getCause());
            kit.newAttempt(kit.heartbeats.isEmpty() ? null : kit.lastHeartbeat());
            GenerateNumbersResult resumed = kit.stub(GenerateNumbersActivity.class).generateNumbers(request);
            assertEquals(5 + 6, kit.samplerCalls.get(), "the new attempt samples only shards 4-9");
            assertEquals(uninterrupted.rawDataset().sha256(), resumed.rawDataset().sha256());
            assertEquals(uninterrupted.generatedTokens(), resumed.generatedTokens());
        }
    }

    @Test
    void aFileWithAnotherRowCountOrNoQuestionFailsNamingTheField(@TempDir Path dir) throws IOException {
        Path file = gsm8kFile(dir, 3);
        Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, "{\"question\": \"a?\", \"answer\": \"1\"}\n{\"answer\": \"2\"}\n");
        try (StageTestKit kit = new StageTestKit(dir.resolve("kit"))) {
            ApplicationFailure count = failure(kit, request(file, 4, Sampling.argmax()));
            assertTrue(count.getOriginalMessage().startsWith("promptCount"), count.getOriginalMessage());
            ApplicationFailure missing = failure(kit, request(broken, 2, Sampling.argmax()));
            assertTrue(missing.getOriginalMessage().startsWith("gsm8kPath") && missing.getOriginalMessage().contains("line 2"),
                    missing.getOriginalMessage());
        }
        IllegalArgumentException noPath = assertThrows(IllegalArgumentException.class,
                () -> GenerateNumbersRequest.gsm8k("qwen-32b-em", Sampling.argmax(), null));
        assertTrue(noPath.getMessage().contains("gsm8kPath"), noPath.getMessage());
    }

    private static ApplicationFailure failure(StageTestKit kit, GenerateNumbersRequest request) {
        ActivityFailure failure = assertThrows(ActivityFailure.class, () -> kit.stub(GenerateNumbersActivity.class).generateNumbers(request));
        ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
        assertTrue(cause.isNonRetryable());
        return cause;
    }
}
