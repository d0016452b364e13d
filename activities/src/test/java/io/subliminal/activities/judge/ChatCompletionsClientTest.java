package io.subliminal.activities.judge;

import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.workflows.stage.Sampling;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chat-completions client against a real local HTTP server. */
class ChatCompletionsClientTest {
    private static final String KEY = "sk-test-4f1d9c2e7a";
    private static final ChatCompletionsClient.Backoff FAST = new ChatCompletionsClient.Backoff(3, Duration.ofMillis(1),
            Duration.ofMillis(5), Duration.ofSeconds(20));

    private static JudgeEndpoint endpoint(FakeChatServer server) {
        return new JudgeEndpoint("openai/gpt-4.1", server.baseUrl(), "openai/gpt-4.1", "TEST_JUDGE_KEY");
    }

    @Test
    void sendsTheConversationWithBearerKeyAndReturnsTheFirstChoice() throws Exception {
        try (FakeChatServer server = new FakeChatServer(KEY, body -> "len=" + FakeChatServer.user(body).length())) {
            ChatCompletionsClient client = new ChatCompletionsClient(endpoint(server), KEY, "judgeModel", FAST);
            String reply = client.complete(new JudgePrompt("be terse", "hello judge"), new ChatCompletionsClient.Parameters(0.0, null, 32));
            assertEquals("len=11", reply);
            var body = server.requests.get(0);
            assertEquals("openai/gpt-4.1", body.get("model").asText());
            assertEquals("be terse", FakeChatServer.system(body));
            assertEquals(0.0, body.get("temperature").asDouble());
            assertEquals(32, body.get("max_tokens").asInt());
            assertFalse(body.has("top_p"), "top_p is sent only when the request sets it");
            assertFalse(client.toString().contains(KEY));
        }
    }

    @Test
    void retries429And5xxThenFailsRetryablyWithoutTheKey() throws Exception {
        try (FakeChatServer server = new FakeChatServer(KEY, body -> "ok")) {
            ChatCompletionsClient client = new ChatCompletionsClient(endpoint(server), KEY, "judgeModel", FAST);
            server.failNext.set(2);
            assertEquals("ok", client.complete(JudgePrompt.user("x"), new ChatCompletionsClient.Parameters(1.0, null, 5)));
            assertEquals(3, server.calls.get(), "two 429s, then the answer");

            server.failStatus = 503;
            server.failNext.set(100);
            ApplicationFailure failure = assertThrows(ApplicationFailure.class,
                    () -> client.complete(JudgePrompt.user("x"), new ChatCompletionsClient.Parameters(1.0, null, 5)));
            assertEquals(ChatCompletionsClient.UNAVAILABLE, failure.getType());
            assertFalse(failure.isNonRetryable());
            assertTrue(failure.getOriginalMessage().contains("HTTP 503"), failure.getOriginalMessage());
            assertEquals(6, server.calls.get(), "three tries");
            assertFalse(failure.getOriginalMessage().contains(KEY));
        }
    }

    @Test
    void aRejectedKeyFailsNonRetryablyAndTheEchoedKeyIsMasked() throws Exception {
        String wrong = "sk-wrong-0c8e11";
        try (FakeChatServer server = new FakeChatServer(KEY, body -> "never")) {
            ChatCompletionsClient client = new ChatCompletionsClient(endpoint(server), wrong, "judgeModel", FAST);
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> client.complete(JudgePrompt.user("x"), new ChatCompletionsClient.Parameters(1.0, null, 5)));
            assertTrue(e.getMessage().startsWith("judgeModel: "), e.getMessage());
            assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("***"), e.getMessage());
            assertFalse(e.getMessage().contains(wrong), "the server echoed the key; the message must not");
            assertEquals(1, server.calls.get(), "a 401 is not retried");
        }
    }

    @Test
    void theKeyComesFromTheNamedVariableAndAMissingOneNamesOnlyTheVariable() {
        JudgeEndpoint endpoint = new JudgeEndpoint("j", java.net.URI.create("https://example.org/api/v1"), "m", "JUDGE_KEY");
        assertEquals("https://example.org/api/v1/chat/completions", endpoint.completionsUri().toString());
        JudgeEndpoints withKey = new JudgeEndpoints(Map.of("j", endpoint), Map.of("JUDGE_KEY", KEY)::get);
        assertEquals(KEY, withKey.apiKey(endpoint, "judgeModel"));
        JudgeEndpoints without = new JudgeEndpoints(Map.of("j", endpoint), name -> null);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> without.apiKey(endpoint, "judgeModel"));
        assertTrue(e.getMessage().startsWith("judgeModel: ") && e.getMessage().contains("JUDGE_KEY"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new JudgeEndpoint("j", java.net.URI.create("ftp://x/"), "m", "K"));
        assertThrows(IllegalArgumentException.class, () -> new JudgeEndpoint("j", java.net.URI.create("https://x/"), "m", "sk-abc def"));
    }

    @Test
    void judgeDecodingMapsToOpenAiParameters() throws Exception {
        assertEquals(new ChatCompletionsClient.Parameters(0.0, null, 32),
                ChatCompletionsJudge.parameters(Sampling.argmax(), "sampling", 32));
        assertEquals(new ChatCompletionsClient.Parameters(1.0, 0.9, 10),
                ChatCompletionsJudge.parameters(Sampling.temperatureTopP(1.0, 0.9), "judgeSampling", 10));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ChatCompletionsJudge.parameters(new Sampling(false, 1.0, null, 20, null), "judgeSampling", 10));
        assertTrue(e.getMessage().startsWith("judgeSampling.topK"), e.getMessage());

        try (FakeChatServer server = new FakeChatServer(KEY, body -> FakeChatServer.user(body).toUpperCase());
             ChatCompletionsJudge judge = new ChatCompletionsJudge(new ChatCompletionsClient(endpoint(server), KEY, "judgeModel", FAST),
                     endpoint(server), Sampling.temperature(1.0), "judgeSampling", 8, 4)) {
            List<JudgePrompt> prompts = java.util.stream.IntStream.range(0, 10).mapToObj(i -> JudgePrompt.user("q" + i)).toList();
            assertEquals(java.util.stream.IntStream.range(0, 10).mapToObj(i -> "Q" + i).toList(), judge.replies(prompts, 0),
                    "concurrent calls, replies in prompt order");
        }
    }
}
