package io.subliminal.activities.judge;

import io.subliminal.activities.engine.Decoding;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.workflows.stage.Sampling;

/**
 * Opens the judge a stage request names: a name listed in the worker's judge endpoints ({@code cfgs/judges.yaml}) is
 * an OpenAI-compatible HTTP judge; any other name must be a model of the registry, run locally by the engine.
 */
public final class Judges {
    private Judges() {
    }

    /**
     * The judge {@code name} (request field {@code field}) decoding with {@code sampling} (field {@code samplingField})
     * and at most {@code maxTokens} new tokens; {@code batchSize} is the local batch or the number of concurrent
     * HTTP calls.
     */
    public static Judge open(StageEnvironment env, String field, String name, Sampling sampling, String samplingField,
                             int maxTokens, int batchSize) {
        var endpoint = env.judges().find(name);
        if (endpoint.isPresent()) {
            ChatCompletionsClient client = new ChatCompletionsClient(endpoint.get(), env.judges().apiKey(endpoint.get(), field),
                    field, ChatCompletionsClient.Backoff.standard());
            return new ChatCompletionsJudge(client, endpoint.get(), sampling, samplingField, maxTokens, batchSize);
        }
        try {
            env.catalog().spec(field, name);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(e.getMessage() + "; judge endpoints: " + env.judges().names(), e.failureType());
        }
        LoadedModel model = env.model(field, name);
        Decoding decoding;
        try {
            decoding = Decoding.resolve(sampling, model.bundle().generation());
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.field(samplingField, e.getMessage());
        }
        return new LocalModelJudge(name, field, model, env.sampler(), decoding, maxTokens, batchSize);
    }
}
