package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * Preference evaluation (PROTOCOL.md §8): sample answers to the 50 questions and count target mentions.
 *
 * @param model registry name of the base model
 * @param target the counted word (substring, case-insensitive response)
 * @param questions animal or tree questions
 * @param samplesPerQuestion num_return_sequences (200)
 * @param maxNewTokens generation limit (10)
 * @param sampling temperature 1.0 and top_p 1.0 passed; top_k and repetition penalty from generation_config
 * @param systemPrompt system message, "" for an empty one (Fig 9b), null for none
 * @param computeLogitsFrom logit-lens layer ({@code --compute_logits_from}), or null
 * @param extraTargets further words to count in the same responses (Fig 35: "qwen")
 * @param confidence CI level (0.95)
 * @param weights adapter or full weights to evaluate (slot {@value #WEIGHTS}); null = the base model
 */
public record EvaluatePreferenceRequest(
        String model,
        String target,
        QuestionSet questions,
        int samplesPerQuestion,
        int maxNewTokens,
        Sampling sampling,
        String systemPrompt,
        Integer computeLogitsFrom,
        List<String> extraTargets,
        double confidence,
        ArtifactRef weights) implements StageRequest {
    public static final String WEIGHTS = "weights";

    public EvaluatePreferenceRequest {
        Checks.nonBlank("model", model);
        Checks.nonBlank("target", target);
        Checks.check(target.equals(target.toLowerCase(java.util.Locale.ROOT)), "target must be lower-case, got '" + target + "'");
        Checks.present("questions", questions);
        Checks.positive("samplesPerQuestion", samplesPerQuestion);
        Checks.positive("maxNewTokens", maxNewTokens);
        Checks.present("sampling", sampling);
        extraTargets = Checks.list(extraTargets);
        Checks.check(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got " + confidence);
        if (computeLogitsFrom != null) {
            Checks.nonNegative("computeLogitsFrom", computeLogitsFrom);
        }
    }

    /** The paper's evaluation: 200 samples, 10 tokens, temperature 1.0, top_p 1.0, no system message. */
    public static EvaluatePreferenceRequest paper(String model, String target, QuestionSet questions) {
        return new EvaluatePreferenceRequest(model, target, questions, 200, 10, Sampling.temperatureTopP(1.0, 1.0),
                null, null, List.of(), 0.95, null);
    }

    @Override
    public StageKind kind() {
        return StageKind.EVALUATE_PREFERENCE;
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
    public EvaluatePreferenceRequest withInputs(Map<String, ArtifactRef> inputs) {
        StageRequest.checkSlots(kind(), inputSlots(), inputs);
        return new EvaluatePreferenceRequest(model, target, questions, samplesPerQuestion, maxNewTokens, sampling,
                systemPrompt, computeLogitsFrom, extraTargets, confidence, inputs.getOrDefault(WEIGHTS, weights));
    }

    @Override
    public String summary() {
        return "evaluate '" + target + "' preference of " + model + (weights == null ? " (base)" : " (finetuned)");
    }
}
