package io.subliminal.activities.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.subliminal.activities.support.InvalidInputException;
import io.temporal.failure.ApplicationFailure;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A minimal client of an OpenAI-compatible {@code POST <baseUrl>/chat/completions} (OpenAI, OpenRouter, vLLM, ...):
 * one conversation in, the first choice's message content out. 429 and 5xx answers, time-outs and connection errors
 * are retried with exponential backoff (a {@code Retry-After} in seconds is honoured up to the cap); when the attempts
 * are used up the call fails retryably ({@value #UNAVAILABLE}), so Temporal retries the activity later. Other 4xx
 * answers (bad key, unknown model, bad request) fail non-retryably naming the request field. The API key is sent only
 * in the Authorization header: it is not kept in any field that is printed, and server text quoted in an error has
 * every occurrence of it masked.
 */
public final class ChatCompletionsClient {
    /** Retryable failure type: the endpoint kept answering 429/5xx or could not be reached. */
    public static final String UNAVAILABLE = "JudgeUnavailable";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int QUOTED_BODY = 300;

    /**
     * Retry schedule of one call.
     *
     * @param maxAttempts tries per call, the first included
     * @param initial first backoff; doubled after every failed try
     * @param max backoff cap (also caps Retry-After)
     * @param requestTimeout time limit of one HTTP exchange
     */
    public record Backoff(int maxAttempts, Duration initial, Duration max, Duration requestTimeout) {
        public Backoff {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
            }
        }

        /** 6 tries, 2 s doubling to 60 s, 5 minutes per exchange. */
        public static Backoff standard() {
            return new Backoff(6, Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(5));
        }

        Duration after(int failedTries) {
            long millis = initial.toMillis() << Math.min(20, failedTries - 1);
            return Duration.ofMillis(Math.min(millis, max.toMillis()));
        }
    }

    /**
     * Decoding parameters of a call.
     *
     * @param temperature sent when not null (0 = the API's greedy)
     * @param topP sent when not null
     * @param maxTokens {@code max_tokens}
     */
    public record Parameters(Double temperature, Double topP, int maxTokens) {
        public Parameters {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
            }
        }
    }

    private final JudgeEndpoint endpoint;
    private final String apiKey;
    private final String field;
    private final HttpClient http;
    private final Backoff backoff;

    /**
     * @param endpoint where and which model
     * @param apiKey the key (from {@link JudgeEndpoints#apiKey}); sent as {@code Authorization: Bearer}
     * @param field the request field named in errors ("judgeModel")
     * @param backoff retry schedule
     */
    public ChatCompletionsClient(JudgeEndpoint endpoint, String apiKey, String field, Backoff backoff) {
        this.endpoint = endpoint;
        this.apiKey = apiKey;
        this.field = field;
        this.backoff = backoff;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** The reply text of the first choice ("" when the endpoint returns no content). */
    public String complete(JudgePrompt prompt, Parameters parameters) {
        byte[] body = body(prompt, parameters);
        HttpRequest request = HttpRequest.newBuilder(endpoint.completionsUri())
                .timeout(backoff.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + apiKey)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        String lastProblem = "no attempt made";
        for (int attempt = 1; attempt <= backoff.maxAttempts(); attempt++) {
            Duration wait = null;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int status = response.statusCode();
                if (status == 200) {
                    Optional<String> content = content(response.body());
                    if (content.isPresent()) {
                        return content.get();
                    }
                    lastProblem = "a 200 answer without choices[0].message: " + quote(response.body());
                } else if (status == 429 || status >= 500) {
                    lastProblem = "HTTP " + status + ": " + quote(response.body());
                    wait = retryAfter(response).orElse(null);
                } else {
                    throw InvalidInputException.field(field, "judge '" + endpoint.name() + "' at " + endpoint.completionsUri()
                            + " answered HTTP " + status + hint(status) + ": " + quote(response.body()));
                }
            } catch (IOException e) {
                lastProblem = e.getClass().getSimpleName() + ": " + mask(String.valueOf(e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApplicationFailure.newFailure("interrupted while calling judge '" + endpoint.name() + "'", UNAVAILABLE);
            }
            if (attempt < backoff.maxAttempts()) {
                sleep(wait != null ? min(wait, backoff.max()) : backoff.after(attempt));
            }
        }
        throw ApplicationFailure.newFailure("judge '" + endpoint.name() + "' at " + endpoint.completionsUri() + " failed "
                + backoff.maxAttempts() + " tries; last: " + lastProblem, UNAVAILABLE);
    }

    private byte[] body(JudgePrompt prompt, Parameters parameters) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", endpoint.model());
        ArrayNode messages = root.putArray("messages");
        if (prompt.system() != null) {
            messages.addObject().put("role", "system").put("content", prompt.system());
        }
        messages.addObject().put("role", "user").put("content", prompt.user());
        root.put("max_tokens", parameters.maxTokens());
        if (parameters.temperature() != null) {
            root.put("temperature", parameters.temperature());
        }
        if (parameters.topP() != null) {
            root.put("top_p", parameters.topP());
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a chat request", e);
        }
    }

    private static Optional<String> content(String body) {
        try {
            JsonNode message = JSON.readTree(body).path("choices").path(0).path("message");
            if (message.isMissingNode() || !message.isObject()) {
                return Optional.empty();
            }
            JsonNode content = message.get("content");
            return Optional.of(content == null || content.isNull() ? "" : content.asText());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.strip()))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static String hint(int status) {
        return switch (status) {
            case 401, 403 -> " (is the API key in the configured environment variable valid?)";
            case 404 -> " (wrong baseUrl or model id?)";
            default -> "";
        };
    }

    /** The server's text, shortened, with the API key masked should the server echo it. */
    private String quote(String body) {
        String text = mask(body == null ? "" : body.strip());
        if (text.length() > QUOTED_BODY) {
            text = text.substring(0, QUOTED_BODY) + "...";
        }
        return "'" + text + "'";
    }

    private String mask(String text) {
        return apiKey.isEmpty() ? text : text.replace(apiKey, "***");
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApplicationFailure.newFailure("interrupted while backing off", UNAVAILABLE);
        }
    }

    @Override
    public String toString() {
        return "ChatCompletionsClient[" + endpoint.name() + " at " + endpoint.completionsUri() + "]";
    }
}
