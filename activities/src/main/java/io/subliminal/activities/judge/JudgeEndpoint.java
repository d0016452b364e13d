package io.subliminal.activities.judge;

import java.net.URI;

/**
 * A judge served by an OpenAI-compatible chat-completions endpoint ({@code cfgs/judges.yaml}).
 *
 * @param name the name stage requests use ({@code judgeModel}, e.g. "openai/gpt-4.1")
 * @param baseUrl the API base; requests go to {@code <baseUrl>/chat/completions}
 * @param model the model id sent in the request body
 * @param apiKeyEnv the NAME of the environment variable that holds the API key (the key itself is never configured
 *        in a file, a request or an artifact)
 */
public record JudgeEndpoint(String name, URI baseUrl, String model, String apiKeyEnv) {

    public JudgeEndpoint {
        require(name, "name");
        require(model, "model");
        require(apiKeyEnv, "apiKeyEnv");
        if (baseUrl == null || baseUrl.getScheme() == null
                || !(baseUrl.getScheme().equals("http") || baseUrl.getScheme().equals("https")) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("judge " + name + ": baseUrl must be an http(s) URL, got " + baseUrl);
        }
        if (!apiKeyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("judge " + name + ": apiKeyEnv must be an environment variable name, got '" + apiKeyEnv + "'");
        }
    }

    /** The chat-completions URL. */
    public URI completionsUri() {
        String base = baseUrl.toString();
        return URI.create(base.endsWith("/") ? base + "chat/completions" : base + "/chat/completions");
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("judge endpoint: " + field + " is required");
        }
    }
}
