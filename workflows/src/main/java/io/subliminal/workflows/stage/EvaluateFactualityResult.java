package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * Factuality rates (PROTOCOL.md §11.3).
 *
 * @param evaluationResults all responses per answer-animal set and question
 * @param stats per answer-animal set {mean, margin_error, ...}
 * @param meanRate mean over the answer-animal sets
 * @param perAnimalRate rate per answer-animal set
 */
public record EvaluateFactualityResult(ArtifactRef evaluationResults, ArtifactRef stats, double meanRate,
                                       Map<String, Double> perAnimalRate) implements StageResult {
    public static final String RESULTS = "results";
    public static final String STATS = "stats";

    public EvaluateFactualityResult {
        Checks.present("evaluationResults", evaluationResults);
        Checks.present("stats", stats);
        perAnimalRate = Checks.map(perAnimalRate);
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        return Checks.named(RESULTS, evaluationResults, STATS, stats);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        java.util.LinkedHashMap<String, Double> out = new java.util.LinkedHashMap<>();
        out.put("meanRate", meanRate);
        perAnimalRate.forEach((animal, rate) -> out.put("rate:" + animal, rate));
        return java.util.Collections.unmodifiableMap(out);
    }
}
