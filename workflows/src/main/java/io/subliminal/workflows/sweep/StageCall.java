package io.subliminal.workflows.sweep;

import io.subliminal.workflows.stage.StageRequest;
import java.util.Map;
import java.util.Objects;

/**
 * Input of a {@link StageWorkflow}: one content-keyed invocation with its inputs bound.
 *
 * @param key content key
 * @param workflowId the stage workflow's ID ("stage/&lt;stage&gt;/&lt;key&gt;")
 * @param request the bound request
 * @param labels coordinates of the first run that asked for it (figure, model, target) for search attributes
 */
public record StageCall(String key, String workflowId, StageRequest request, Map<String, String> labels) {
    public StageCall {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(workflowId, "workflowId");
        Objects.requireNonNull(request, "request");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
}
