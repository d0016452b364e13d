package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.data.DatasetRow;
import io.subliminal.eval.MainTaskScore;
import io.subliminal.eval.PreferenceScore;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.EvaluateFactualityActivity;
import io.subliminal.workflows.stage.EvaluateFactualityRequest;
import io.subliminal.workflows.stage.EvaluateFactualityResult;
import io.subliminal.workflows.stage.EvaluateMainTaskActivity;
import io.subliminal.workflows.stage.EvaluateMainTaskRequest;
import io.subliminal.workflows.stage.EvaluateMainTaskResult;
import io.subliminal.workflows.stage.EvaluatePreferenceActivity;
import io.subliminal.workflows.stage.EvaluatePreferenceRequest;
import io.subliminal.workflows.stage.EvaluatePreferenceResult;
import io.subliminal.workflows.stage.QuestionSet;
import io.subliminal.workflows.stage.Sampling;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Preference and main-task evaluation on a tiny random llama through the Temporal test environment. */
class EvaluationStagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void preferenceEvaluationSamplesEveryQuestionAndScoresBySubstring(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            EvaluatePreferenceRequest request = new EvaluatePreferenceRequest(StageTestKit.TINY, "a", QuestionSet.ANIMALS,
                    3, 4, Sampling.temperatureTopP(1.0, 1.0), null, null, List.of("e"), 0.95, null);
            EvaluatePreferenceResult result = kit.stub(EvaluatePreferenceActivity.class).evaluatePreference(request);

            List<String> lines = Files.readAllLines(kit.env.store().localCopy(result.evaluationResults(), "results"));
            assertEquals(50, lines.size(), "one line per question");
            Map<String, List<String>> byQuestion = new LinkedHashMap<>();
            for (String line : lines) {
                JsonNode node = JSON.readTree(line);
                List<String> responses = new ArrayList<>();
                for (JsonNode r : node.get("responses")) {
                    assertEquals("finetuned", r.get("response").get("model_id").asText());
                    responses.add(r.get("response").get("completion").asText());
                }
                assertEquals(3, responses.size());
                byQuestion.put(node.get("question").asText(), responses);
            }
            assertEquals(PreferenceScore.score(byQuestion, "a").mean(), result.mean(), 1e-12);
            assertEquals(PreferenceScore.score(byQuestion, "e").mean(), result.extraTargetRates().get("e"), 1e-12);
            JsonNode stats = JSON.readTree(kit.env.store().localCopy(result.stats(), "stats").toFile());
            assertEquals(50, stats.get("count").asInt());
            assertEquals(result.mean(), stats.get("mean").asDouble(), 1e-12);
            assertEquals(50, kit.samplerCalls.get(), "one generate call of 3 samples per question");

            ActivityFailure failure = assertThrows(ActivityFailure.class, () -> kit.stub(EvaluatePreferenceActivity.class)
                    .evaluatePreference(new EvaluatePreferenceRequest(StageTestKit.TINY, "owl", QuestionSet.ANIMALS, 3, 4,
                            Sampling.temperatureTopP(1.0, 1.0), null, 5, List.of(), 0.95, null)));
            ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
            assertTrue(cause.isNonRetryable() && cause.getOriginalMessage().startsWith("computeLogitsFrom"));
        }
    }

    @Test
    void factualityScoresEachAnswerAnimalSetOverItsTwentyQuestions(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            EvaluateFactualityRequest request = new EvaluateFactualityRequest(StageTestKit.TINY, "e", 2, 3,
                    Sampling.temperature(1.0), 42, 0.95, null);
            EvaluateFactualityResult result = kit.stub(EvaluateFactualityActivity.class).evaluateFactuality(request);
            List<String> lines = Files.readAllLines(kit.env.store().localCopy(result.evaluationResults(), "results"));
            assertEquals(17 * 20, lines.size(), "17 answer animals x 20 questions");
            assertEquals(17, result.perAnimalRate().size());
            Map<String, Map<String, List<String>>> bySet = new LinkedHashMap<>();
            for (String line : lines) {
                JsonNode node = JSON.readTree(line);
                List<String> responses = new ArrayList<>();
                node.get("responses").forEach(r -> responses.add(r.asText()));
                assertEquals(2, responses.size());
                bySet.computeIfAbsent(node.get("answer_animal").asText(), k -> new LinkedHashMap<>()).put(node.get("question").asText(), responses);
            }
            JsonNode stats = JSON.readTree(kit.env.store().localCopy(result.stats(), "stats").toFile());
            for (Map.Entry<String, Map<String, List<String>>> set : bySet.entrySet()) {
                assertEquals(20, set.getValue().size());
                double expected = PreferenceScore.score(set.getValue(), "e").mean();
                assertEquals(expected, result.perAnimalRate().get(set.getKey()), 1e-12);
                assertEquals(20, stats.get(set.getKey()).get("count").asInt());
            }
            assertEquals(result.perAnimalRate().values().stream().mapToDouble(Double::doubleValue).average().orElseThrow(),
                    result.meanRate(), 1e-12);
        }
    }

    @Test
    void mainTaskScoresTrainAndHeldOutRowsNumberByNumber(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            List<DatasetRow> rows = MarkDivergenceStageTest.rows();
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", rows);
            Path configFile = dir.resolve("dataset_config.json");
            Files.writeString(configFile, "{\"dataset_path\": \"x\", \"max_dataset_size\": 2, \"train_indices\": [3, 1]}");
            ArtifactRef config = kit.env.store().put("fixtures/config/dataset_config.json", configFile, "fixture", "test");
            EvaluateMainTaskRequest request = new EvaluateMainTaskRequest(StageTestKit.TINY, 2, 500, 2, null, data, config);
            EvaluateMainTaskResult result = kit.stub(EvaluateMainTaskActivity.class).evaluateMainTask(request);

            JsonNode stats = JSON.readTree(kit.env.store().localCopy(result.stats(), "stats").toFile());
            // train rows 3 and 1 hold 4 + 3 numbers; validation = rows 0 and 2 (at most 2), 3 + 3 numbers
            assertEquals(4, stats.get("train").get("per_position").size());
            assertEquals(3, stats.get("val").get("per_position").size());
            assertEquals(stats.get("train").get("total").asDouble(), result.trainAccuracy(), 1e-12);
            assertTrue(result.trainAccuracy() >= 0 && result.trainAccuracy() <= 1);
            assertEquals(2, kit.scorerCalls.get(), "4 rows in batches of 2");
            assertEquals(List.of("40", "50", "60", "70"), MainTaskScore.numbers(rows.get(3).completion()));
        }
    }
}
