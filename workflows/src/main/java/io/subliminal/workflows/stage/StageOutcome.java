package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;
import java.util.Objects;

/**
 * The stage-independent form of a finished stage: what a run needs to wire its next stages and to report.
 *
 * @param contentKey the invocation's content key (hash of stage, version, parameters and input keys)
 * @param kind the stage
 * @param artifacts output artifacts by slot name
 * @param metrics small numeric results by name
 */
public record StageOutcome(String contentKey, StageKind kind, Map<String, ArtifactRef> artifacts, Map<String, Double> metrics) {

    public StageOutcome {
        Objects.requireNonNull(contentKey, "contentKey");
        Objects.requireNonNull(kind, "kind");
        artifacts = Checks.map(artifacts);
        metrics = Checks.map(metrics);
    }

    /** The output artifact in {@code slot}, or an error naming the stage and its slots. */
    public ArtifactRef artifact(String slot) {
        ArtifactRef ref = artifacts.get(slot);
        if (ref == null) {
            throw new IllegalArgumentException(kind.id() + " result " + contentKey + " has no output '" + slot + "'; outputs: " + artifacts.keySet());
        }
        return ref;
    }
}
