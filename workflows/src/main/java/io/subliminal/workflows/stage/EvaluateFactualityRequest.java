package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * Factuality evaluation (PROTOCOL.md §11.3): 17 answer-animals x 20 questions with seeded suffixes.
 *
 * @param model registry name of the base model
 * @param target count this word in every set's answers ({@code --animal}); null = each set's own answer (accuracy)
 * @param samplesPerQuestion samples per question (200, the README's value; the script default is 50)
 * @param maxNewTokens generation limit (10)
 * @param sampling temperature 1.0; the rest from generation_config
 * @param suffixSeed {@code random.Random(seed)} for the question suffixes (42)
 * @param confidence CI level (0.95)
 * @param weights weights to evaluate (slot {@value #WEIGHTS}); null = base model
 */
public record EvaluateFactualityRequest(String model, String target, int samplesPerQuestion, int maxNewTokens,
                                        Sampling sampling, long suffixSeed, double confidence, ArtifactRef weights)
        implements StageRequest {
    public static final String WEIGHTS = "weights";

    public EvaluateFactualityRequest {
        Checks.nonBlank("model", model);
        Checks.positive("samplesPerQuestion", samplesPerQuestion);
        Checks.positive("maxNewTokens", maxNewTokens);
        Checks.present("sampling", sampling);
        Checks.check(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got " + confidence);
    }

    /** The README's run: 200 samples, temperature 1, 10 tokens. */
    public static EvaluateFactualityRequest paper(String model, String target) {
        return new EvaluateFactualityRequest(model, target, 200, 10, Sampling.temperature(1.0), 42, 0.95, null);
    }

    @Override
    public StageKind kind() {
        return StageKind.EVALUATE_FACTUALITY;
    }

    @Override
    public boolean requiresGpu() {
        return true;
    }

    @Override
    public List<String> inputSlots() {
        return List.of(WEIGHTS);
    }

    @Override
    public EvaluateFactualityRequest withInputs(Map<String, ArtifactRef> inputs) {
        StageRequest.checkSlots(kind(), inputSlots(), inputs);
        return new EvaluateFactualityRequest(model, target, samplesPerQuestion, maxNewTokens, sampling, suffixSeed,
                confidence, inputs.getOrDefault(WEIGHTS, weights));
    }

    @Override
    public String summary() {
        return "evaluate factuality of " + model + (target == null ? "" : " counting '" + target + "'");
    }
}
