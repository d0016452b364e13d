package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * Preference rate with its CI (PROTOCOL.md §8).
 *
 * @param evaluationResults every response per question ({@code evaluation_results.jsonl})
 * @param stats {mean, margin_error, lower_bound, upper_bound, count, confidence, values} ({@code stats.json})
 * @param mean mean over questions of the per-question target rate
 * @param marginError CI half-width
 * @param extraTargetRates mean rate of each extra target
 */
public record EvaluatePreferenceResult(ArtifactRef evaluationResults, ArtifactRef stats, double mean, double marginError,
                                       Map<String, Double> extraTargetRates) implements StageResult {
    public static final String RESULTS = "results";
    public static final String STATS = "stats";

    public EvaluatePreferenceResult {
        Checks.present("evaluationResults", evaluationResults);
        Checks.present("stats", stats);
        extraTargetRates = Checks.map(extraTargetRates);
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        return Checks.named(RESULTS, evaluationResults, STATS, stats);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        java.util.LinkedHashMap<String, Double> out = new java.util.LinkedHashMap<>();
        out.put("mean", mean);
        out.put("marginError", marginError);
        extraTargetRates.forEach((target, rate) -> out.put("rate:" + target, rate));
        return java.util.Collections.unmodifiableMap(out);
    }
}
