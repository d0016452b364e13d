package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * Attribution results (PROTOCOL.md §11.2).
 *
 * @param attributions per row {residual_attrs per layer [pairs x seq], inputs, animals, labels_indices} (archive)
 * @param layerSummary per layer, sum of |A| and of A at the system-prompt animal positions, averaged over pairs and
 *        rows (the aggregation is this port's assumption; the original has none)
 * @param rowsPatched rows with at least one usable counterfactual
 * @param rowsSkipped rows without one
 */
public record AttributionPatchingResult(ArtifactRef attributions, ArtifactRef layerSummary, int rowsPatched, int rowsSkipped)
        implements StageResult {
    public static final String ATTRIBUTIONS = "attributions";
    public static final String LAYER_SUMMARY = "layer-summary";

    public AttributionPatchingResult {
        Checks.present("attributions", attributions);
        Checks.present("layerSummary", layerSummary);
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        return Checks.named(ATTRIBUTIONS, attributions, LAYER_SUMMARY, layerSummary);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        return Checks.named("rowsPatched", (double) rowsPatched, "rowsSkipped", (double) rowsSkipped);
    }
}
