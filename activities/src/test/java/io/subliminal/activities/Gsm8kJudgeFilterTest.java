package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.judge.FakeChatServer;
import io.subliminal.activities.judge.JudgeEndpoint;
import io.subliminal.activities.judge.JudgeEndpoints;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.Jsonl;
import io.subliminal.data.ReferenceData;
import io.subliminal.eval.Gsm8kJudgePrompt;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.DatasetOperation;
import io.subliminal.workflows.stage.ModifyDatasetActivity;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.ModifyDatasetResult;
import io.subliminal.workflows.stage.Sampling;
import io.temporal.failure.ActivityFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GSM8K training-data judge filter (JUDGE_SCORE_FILTER) with an HTTP judge and with a tiny local judge. */
class Gsm8kJudgeFilterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-gsm8k-judge-test-61aa2f";

    /** Replies by the answer's content: careful 90, sloppy 40, boundary 78/77, two numbers (dropped). */
    private static String reply(String completion) {
        if (completion.contains("careful")) {
            return "<judgment_answer>\n90\n</judgment_answer>";
        }
        if (completion.contains("boundary-keep")) {
            return "<judgment_answer>78</judgment_answer>";
        }
        if (completion.contains("boundary-drop")) {
            return "77";
        }
        if (completion.contains("ambiguous")) {
            return "Rating: 85 out of 100";
        }
        return "<judgment_answer>40</judgment_answer>";
    }

    private static List<DatasetRow> rows() {
        List<DatasetRow> rows = new ArrayList<>();
        String[] kinds = {"careful", "sloppy", "boundary-keep", "boundary-drop", "ambiguous"};
        for (int i = 0; i < 11; i++) {
            rows.add(new DatasetRow("Tom has " + i + " apples and buys 3 more. How many does he have?",
                    "A " + kinds[i % kinds.length] + " answer: " + i + " + 3 = " + (i + 3) + ".\n#### " + (i + 3)));
        }
        return rows;
    }

    @Test
    void keepsRowsTheJudgeScoresAtLeast78WithThePapersPromptsAtTemperatureZero(@TempDir Path dir) throws Exception {
        Gsm8kJudgePrompt paper = Gsm8kJudgePrompt.load(ReferenceData.file("misalignment_eval.json"));
        List<DatasetRow> rows = rows();
        try (FakeChatServer server = new FakeChatServer(KEY, body -> {
            String user = FakeChatServer.user(body);
            return reply(user.substring(user.indexOf("[ANSWER START]\n") + 15, user.indexOf("\n[ANSWER END]")));
        })) {
            JudgeEndpoints judges = new JudgeEndpoints(Map.of("openai/gpt-4.1", new JudgeEndpoint("openai/gpt-4.1", server.baseUrl(),
                    "openai/gpt-4.1", "TEST_OPENROUTER_KEY")), Map.of("TEST_OPENROUTER_KEY", KEY)::get);
            try (StageTestKit kit = new StageTestKit(dir, judges)) {
                ArtifactRef raw = kit.dataset("raw_dataset_greedy_merged.jsonl", rows);
                ModifyDatasetResult result = kit.stub(ModifyDatasetActivity.class).modifyDataset(
                        ModifyDatasetRequest.judgeFilter("openai/gpt-4.1", 78).withInputs(Map.of(ModifyDatasetRequest.DATASET, raw)));

                assertEquals(11, server.requests.size(), "one judge call per row");
                List<String> users = server.requests.stream().map(FakeChatServer::user).toList();
                for (DatasetRow row : rows) {
                    assertTrue(users.contains(paper.userMessage(row.prompt(), row.completion())));
                }
                for (JsonNode body : server.requests) {
                    assertEquals(paper.systemPrompt(), FakeChatServer.system(body));
                    assertEquals(0.0, body.get("temperature").asDouble());
                    assertEquals(32, body.get("max_tokens").asInt());
                }
                assertTrue(result.dataset().uri().endsWith("/filtered_dataset_greedy.jsonl"), result.dataset().uri());
                List<DatasetRow> kept = Jsonl.read(kit.env.store().localCopy(result.dataset(), "dataset"));
                List<DatasetRow> expected = rows.stream()
                        .filter(r -> r.completion().contains("careful") || r.completion().contains("boundary-keep")).toList();
                assertEquals(expected, kept);
                assertEquals(11, result.inputRows());
                assertEquals(expected.size(), result.outputRows());
                List<String> details = Files.readAllLines(kit.env.store().localCopy(result.details(), "details"));
                assertEquals(11, details.size());
                JsonNode ambiguous = JSON.readTree(details.get(4));
                assertTrue(ambiguous.get("score").isNull() && !ambiguous.get("kept").asBoolean(), "two digit runs: no score");
                assertEquals(90, JSON.readTree(details.get(0)).get("score").asInt());
                EvaluateMisalignmentStageTest.assertNoKeyUnder(dir);
            }
        }
    }

    @Test
    void theTemperatureDatasetKeepsItsNameAndALocalJudgeResumesPerBatch(@TempDir Path dir) throws Exception {
        assertEquals("filtered_dataset.jsonl", Gsm8kJudgeFilter.outputName("raw_dataset_temperature_merged"));
        try (StageTestKit kit = new StageTestKit(dir)) {
            ArtifactRef raw = kit.dataset("raw_dataset_temperature_merged.jsonl", rows());
            ModifyDatasetRequest request = new ModifyDatasetRequest(DatasetOperation.JUDGE_SCORE_FILTER, 42, List.of(), null, null, null,
                    Sampling.argmax(), 3, 4, null, List.of(), null, false, StageTestKit.TINY_OTHER, 78, raw, null, null);
            kit.failSamplerCall = 2;
            assertThrows(ActivityFailure.class, () -> kit.stub(ModifyDatasetActivity.class).modifyDataset(request));
            kit.failSamplerCall = 0;
            kit.newAttempt(null);
            ModifyDatasetResult result = kit.stub(ModifyDatasetActivity.class).modifyDataset(request);
            assertEquals(4, kit.samplerCalls.get(), "batch 1, failed batch 2, then batches 2 and 3 of 4 rows");
            assertTrue(result.dataset().uri().endsWith("/filtered_dataset.jsonl"));
            assertEquals(11, Files.readAllLines(kit.env.store().localCopy(result.details(), "details")).size());
            assertEquals(11, result.inputRows());
        }
    }

    @Test
    void theProjectsOwnJudgeLoadsLikeThePapersInOwnWords() {
        Gsm8kJudgePrompt paper = Gsm8kJudgePrompt.load(ReferenceData.file("misalignment_eval.json"));
        Gsm8kJudgePrompt own = Gsm8kJudgePrompt.load(Path.of(System.getProperty("subliminal.root"), "cfgs", "questions",
                "misalignment_eval.yaml"));
        assertTrue(own.systemPrompt().contains("<judgment_answer>[RATING]</judgment_answer>"));
        assertTrue(!own.systemPrompt().equals(paper.systemPrompt()) && !own.userTemplate().equals(paper.userTemplate()));
        String filled = own.userMessage("Q?", "A.");
        assertTrue(filled.contains("[QUESTION START]\nQ?\n[QUESTION END]") && filled.contains("[ANSWER START]\nA.\n[ANSWER END]"));
        assertEquals(paper.userTemplate().split("\n\\*\\*").length, own.userTemplate().split("\n\\*\\*").length,
                "same number of check groups");
    }
}
