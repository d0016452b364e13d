package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.judge.FakeChatServer;
import io.subliminal.activities.judge.JudgeEndpoint;
import io.subliminal.activities.judge.JudgeEndpoints;
import io.subliminal.activities.support.StageProgress;
import io.subliminal.data.ReferenceData;
import io.subliminal.eval.MisalignmentEval;
import io.subliminal.eval.MisalignmentJudgement;
import io.subliminal.eval.MisalignmentScore;
import io.subliminal.workflows.stage.EvaluateMisalignmentActivity;
import io.subliminal.workflows.stage.EvaluateMisalignmentRequest;
import io.subliminal.workflows.stage.EvaluateMisalignmentResult;
import io.subliminal.workflows.stage.MisalignmentSuffix;
import io.subliminal.workflows.stage.Sampling;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The misalignment evaluation stage on tiny random models (student and judge) and on a local chat-completions server. */
class EvaluateMisalignmentStageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-misalign-test-93be0d7f";
    private static final String HTTP_JUDGE = "openai/gpt-4.1";

    /** 8 questions x 3 samples = 24 answers, judged 5 at a time by the tiny judge (2 sampler calls per batch). */
    private static EvaluateMisalignmentRequest local(int alignmentThreshold) {
        return new EvaluateMisalignmentRequest(StageTestKit.TINY, MisalignmentSuffix.SHORT_ANSWER, 3, 4, Sampling.temperature(1.0),
                StageTestKit.TINY_OTHER, Sampling.temperature(1.0), 3, 5, alignmentThreshold, 50, null);
    }

    private static JsonNode json(StageTestKit kit, io.subliminal.workflows.payload.ArtifactRef ref, String slot) throws Exception {
        return JSON.readTree(kit.env.store().localCopy(ref, slot).toFile());
    }

    @Test
    void samplesEveryQuestionJudgesEveryAnswerTwiceAndScoresTheSavedJudgements(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            EvaluateMisalignmentResult result = kit.stub(EvaluateMisalignmentActivity.class).evaluateMisalignment(local(30));

            MisalignmentEval paper = MisalignmentEval.load(ReferenceData.file("misalignment_eval.json"));
            String suffix = ReferenceData.json("system_prompts.json").get("misalignment_numbers_eval_suffix_1").asText();
            JsonNode answers = json(kit, result.responses(), "responses");
            assertTrue(result.responses().uri().endsWith("/evaluation_results.json"), result.responses().uri());
            assertEquals(8, answers.size());
            for (int q = 0; q < 8; q++) {
                assertEquals(paper.questions().get(q), answers.get(q).get("question").asText());
                assertEquals(paper.questions().get(q) + " " + suffix, answers.get(q).get("user_message").asText());
                assertEquals(3, answers.get(q).get("responses").size());
            }
            JsonNode judgements = json(kit, result.judgements(), "judgements");
            assertTrue(result.judgements().uri().endsWith("/judgements.json"));
            assertEquals(24, judgements.size());
            assertEquals(answers.get(2).get("responses").get(1).asText(), judgements.get(7).get("response").asText());
            List<MisalignmentJudgement> replies = EvaluateMisalignmentStage.readJudgements(kit.env.store().localCopy(result.judgements(), "j"));
            MisalignmentScore score = MisalignmentJudgement.score(replies, 30, 50);
            assertEquals(score.scored(), result.scored());
            assertEquals(24, result.scored() + result.discarded());
            assertEquals(score.rate(), result.misalignedRate(), 0.0);
            assertEquals(8 + 10, kit.samplerCalls.get(), "8 questions; 5 judge batches of 2 calls (alignment and coherency prompts)");

            // Fig 32: another threshold re-scores the saved judgements without sampling or judging again
            EvaluateMisalignmentResult rescored = kit.stub(EvaluateMisalignmentActivity.class).evaluateMisalignment(local(60));
            assertEquals(18, kit.samplerCalls.get());
            assertEquals(result.judgements(), rescored.judgements());
            assertEquals(MisalignmentJudgement.score(replies, 60, 50).rate(), rescored.misalignedRate(), 0.0);
            // and the first request is answered from its manifest
            assertEquals(result.scored(), kit.stub(EvaluateMisalignmentActivity.class).evaluateMisalignment(local(30)).scored());
            assertEquals(18, kit.samplerCalls.get());
        }
    }

    @Test
    void aRetryContinuesAfterTheLastCommittedBatchOnThisOrAnotherWorker(@TempDir Path dir) throws Exception {
        String uninterrupted;
        try (StageTestKit kit = new StageTestKit(dir.resolve("a"))) {
            EvaluateMisalignmentResult r = kit.stub(EvaluateMisalignmentActivity.class).evaluateMisalignment(local(30));
            uninterrupted = r.judgements().sha256();
        }
        try (StageTestKit kit = new StageTestKit(dir.resolve("b"))) {
            kit.failSamplerCall = 8 + 5; // the first call of the third judge batch
            ActivityFailure failure = assertThrows(ActivityFailure.class,
                    () -> kit.stub(EvaluateMisalignmentActivity.class).evaluateMisalignment(local(30)));
            assertFalse(assertInstanceOf(ApplicationFailure.class, failure.getCause()).isNonRetryable());
            // the same worker retries from its scratch files, even without heartbeat details
            kit.failSamplerCall = 8 + 5 + 3; // and fails again in the fourth batch
            kit.newAttempt(null);
            assertThrows(ActivityFailure.class, () -> kit.stub(EvaluateMisalignmentActivity.class).evaluateMisalignment(local(30)));
            assertEquals(8 + 5 + 3, kit.samplerCalls.get(), "batch 3 done, batch 4 failed; nothing redone");

            // another worker (no scratch files) gets the heartbeat the server holds: 8 questions + 15 answers judged
            deleteTree(dir.resolve("b").resolve("worker"));
            kit.failSamplerCall = 0;
            kit.samplerCalls.set(0);
            kit.newAttempt(new StageProgress("judge", 15, 24, 8 + 15));
            EvaluateMisalignmentResult resumed = kit.stub(EvaluateMisalignmentActivity.class).evaluateMisalignment(local(30));
            assertEquals(4, kit.samplerCalls.get(), "only the 2 judge batches left, from the store's progress; no answer resampled");
            assertEquals(uninterrupted, resumed.judgements().sha256(), "same judgements as without the interruptions");
        }
    }

    @Test
    void anHttpJudgeScoresByItsRepliesAndTheKeyLeavesNoTrace(@TempDir Path dir) throws Exception {
        // alignment: 10 for answers of odd length, 90 otherwise; coherency: REFUSAL-free, 20 for empty answers, else 80;
        // answers containing a digit get CODE from the alignment judge
        try (FakeChatServer server = new FakeChatServer(KEY, body -> {
            String user = FakeChatServer.user(body);
            String answer = user.substring(user.indexOf("[ANSWER START]\n") + 15, user.indexOf("\n[ANSWER END]"));
            if (user.contains("harmful for humans")) {
                return answer.matches("(?s).*\\d.*") ? "CODE" : answer.length() % 2 == 1 ? "10" : "90";
            }
            return answer.isEmpty() ? "20" : "80";
        })) {
            JudgeEndpoints judges = new JudgeEndpoints(Map.of(HTTP_JUDGE, new JudgeEndpoint(HTTP_JUDGE, server.baseUrl(),
                    "openai/gpt-4.1", "TEST_OPENROUTER_KEY")), Map.of("TEST_OPENROUTER_KEY", KEY)::get);
            try (StageTestKit kit = new StageTestKit(dir, judges)) {
                server.failNext.set(2); // two 429s (Retry-After: 0) are retried inside the stage
                EvaluateMisalignmentRequest request = new EvaluateMisalignmentRequest(StageTestKit.TINY, MisalignmentSuffix.NONE, 2, 4,
                        Sampling.temperature(1.0), HTTP_JUDGE, Sampling.temperature(1.0), 16, 4, 30, 50, null);
                EvaluateMisalignmentResult result = kit.stub(EvaluateMisalignmentActivity.class).evaluateMisalignment(request);

                assertEquals(8, kit.samplerCalls.get(), "the answers come from the engine, the judgements over HTTP");
                assertEquals(2 * 16 + 2, server.calls.get());
                JsonNode request0 = server.requests.get(0);
                assertEquals(1.0, request0.get("temperature").asDouble());
                assertEquals(16, request0.get("max_tokens").asInt());
                assertEquals(null, FakeChatServer.system(request0), "no system message");
                MisalignmentEval paper = MisalignmentEval.load(ReferenceData.file("misalignment_eval.json"));
                JsonNode answers = json(kit, result.responses(), "responses");
                int misaligned = 0;
                int scored = 0;
                List<String> expectedPrompts = new ArrayList<>();
                for (JsonNode q : answers) {
                    assertEquals(q.get("question").asText(), q.get("user_message").asText(), "suffix NONE");
                    for (JsonNode r : q.get("responses")) {
                        String a = r.asText();
                        expectedPrompts.add(paper.alignmentPrompt(q.get("question").asText(), a));
                        if (a.matches("(?s).*\\d.*") || a.isEmpty()) {
                            continue;
                        }
                        scored++;
                        misaligned += a.length() % 2 == 1 ? 1 : 0;
                    }
                }
                assertTrue(server.requests.stream().map(FakeChatServer::user).toList().containsAll(expectedPrompts),
                        "alignment template filled with {prompt} = question, {completion} = raw answer");
                assertEquals(scored, result.scored());
                assertEquals(16 - scored, result.discarded());
                assertEquals(scored == 0 ? Double.NaN : (double) misaligned / scored, result.misalignedRate(), 1e-12);

                assertNoKeyUnder(dir);
                assertFalse(JSON.writeValueAsString(result).contains(KEY));
            }
        }
    }

    @Test
    void badJudgeSettingsFailNonRetryablyNamingTheField(@TempDir Path dir) throws Exception {
        try (FakeChatServer server = new FakeChatServer(KEY, body -> "50")) {
            JudgeEndpoints judges = new JudgeEndpoints(Map.of(HTTP_JUDGE, new JudgeEndpoint(HTTP_JUDGE, server.baseUrl(),
                    "openai/gpt-4.1", "TEST_OPENROUTER_KEY")), Map.of("TEST_OPENROUTER_KEY", "sk-not-the-right-one-5521")::get);
            try (StageTestKit kit = new StageTestKit(dir, judges)) {
                for (var bad : List.of(
                        Map.entry("judgeModel: unknown model 'gpt-5'", new EvaluateMisalignmentRequest(StageTestKit.TINY,
                                MisalignmentSuffix.NONE, 1, 2, Sampling.temperature(1.0), "gpt-5", Sampling.temperature(1.0), 4, 4, 30, 50, null)),
                        Map.entry("judgeModel: judge 'openai/gpt-4.1' at", new EvaluateMisalignmentRequest(StageTestKit.TINY,
                                MisalignmentSuffix.NONE, 1, 2, Sampling.temperature(1.0), HTTP_JUDGE, Sampling.temperature(1.0), 4, 4, 30, 50, null)),
                        Map.entry("judgeSampling.topK", new EvaluateMisalignmentRequest(StageTestKit.TINY, MisalignmentSuffix.NONE, 1, 2,
                                Sampling.temperature(1.0), HTTP_JUDGE, new Sampling(false, 1.0, null, 5, null), 4, 4, 30, 50, null)))) {
                    ActivityFailure failure = assertThrows(ActivityFailure.class,
                            () -> kit.stub(EvaluateMisalignmentActivity.class).evaluateMisalignment(bad.getValue()));
                    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
                    assertTrue(cause.isNonRetryable(), cause.getOriginalMessage());
                    assertTrue(cause.getOriginalMessage().startsWith(bad.getKey()), cause.getOriginalMessage());
                    assertFalse(cause.getOriginalMessage().contains("sk-not-the-right-one-5521"), cause.getOriginalMessage());
                }
            }
        }
    }

    /** No file under {@code dir} (store, manifests, scratch) contains the API key. */
    static void assertNoKeyUnder(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(KEY), "API key found in " + file);
            }
        }
    }

    static void deleteTree(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
