package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * One finished stage of one run, as the aggregation sees it.
 *
 * @param runId the run's workflow ID
 * @param labels run coordinates (figure, model, target, condition, seed, and the recipe's axis values)
 * @param stage the stage's recipe name within the run (e.g. "eval-final")
 * @param contentKey the stage invocation's content key
 * @param metrics the stage's metrics
 * @param artifacts the stage's output artifacts (e.g. evaluation results to re-score)
 */
public record AggregateRow(String runId, Map<String, String> labels, String stage, String contentKey,
                           Map<String, Double> metrics, Map<String, ArtifactRef> artifacts) {
    public AggregateRow {
        Checks.nonBlank("runId", runId);
        labels = Checks.map(labels);
        Checks.nonBlank("stage", stage);
        Checks.nonBlank("contentKey", contentKey);
        metrics = Checks.map(metrics);
        artifacts = Checks.map(artifacts);
    }
}
