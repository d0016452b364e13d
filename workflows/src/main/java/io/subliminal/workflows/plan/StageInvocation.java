package io.subliminal.workflows.plan;

import io.subliminal.workflows.stage.StageRequest;
import java.util.Map;
import java.util.Objects;

/**
 * One stage of a run: an unbound request plus where its artifact inputs come from. Two invocations with the same
 * {@code key} are the same work and run once (across runs, sweeps and figures).
 *
 * @param name the stage's name within the run ("data", "divergence", "train", "eval-preference", ...)
 * @param key content key: SHA-256 of the canonical JSON of stage id, version, request and input keys
 * @param request the request with its artifact fields unset
 * @param inputs slot name to upstream output
 */
public record StageInvocation(String name, String key, StageRequest request, Map<String, InputBinding> inputs) {
    public StageInvocation {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(request, "request");
        inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
    }

    /** The Temporal workflow ID of the shared stage workflow: "stage/&lt;stage-id&gt;/&lt;key&gt;". */
    public String workflowId() {
        return "stage/" + request.kind().id() + "/" + key;
    }
}
