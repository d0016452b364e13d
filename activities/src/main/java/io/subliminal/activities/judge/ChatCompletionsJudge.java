package io.subliminal.activities.judge;

import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.workflows.stage.Sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A judge behind an OpenAI-compatible chat-completions endpoint: the prompts of one call are sent concurrently
 * (at most {@code concurrency} at a time), the replies come back in prompt order. Greedy decoding is sent as
 * temperature 0; a temperature or top-p that the request leaves to generation_config is not sent (the endpoint's
 * default applies); top-k and repetition penalty have no OpenAI parameter and are refused.
 */
public final class ChatCompletionsJudge implements Judge {
    private final ChatCompletionsClient client;
    private final ChatCompletionsClient.Parameters parameters;
    private final ExecutorService pool;
    private final String description;

    public ChatCompletionsJudge(ChatCompletionsClient client, JudgeEndpoint endpoint, Sampling sampling, String samplingField,
                                int maxTokens, int concurrency) {
        this.client = client;
        this.parameters = parameters(sampling, samplingField, maxTokens);
        int threads = Math.max(1, concurrency);
        this.pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "judge-" + endpoint.name());
            thread.setDaemon(true);
            return thread;
        });
        this.description = endpoint.name() + " (" + endpoint.model() + " at " + endpoint.baseUrl() + ")";
    }

    /** The OpenAI parameters for {@code sampling}. */
    static ChatCompletionsClient.Parameters parameters(Sampling sampling, String field, int maxTokens) {
        if (sampling.topK() != null) {
            throw InvalidInputException.field(field + ".topK", "a chat-completions judge has no top-k parameter");
        }
        if (sampling.repetitionPenalty() != null && !sampling.greedy()) {
            throw InvalidInputException.field(field + ".repetitionPenalty", "a chat-completions judge has no repetition penalty");
        }
        Double temperature = sampling.greedy() ? Double.valueOf(0.0) : sampling.temperature();
        return new ChatCompletionsClient.Parameters(temperature, sampling.topP(), maxTokens);
    }

    @Override
    public List<String> replies(List<JudgePrompt> prompts, long seed) {
        List<Future<String>> pending = new ArrayList<>(prompts.size());
        for (JudgePrompt prompt : prompts) {
            pending.add(pool.submit(() -> client.complete(prompt, parameters)));
        }
        List<String> out = new ArrayList<>(prompts.size());
        try {
            for (Future<String> reply : pending) {
                out.add(reply.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.forEach(f -> f.cancel(true));
            throw new IllegalStateException("interrupted while waiting for the judge", e);
        } catch (ExecutionException e) {
            pending.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(String.valueOf(e.getCause()), e.getCause());
        }
        return out;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
