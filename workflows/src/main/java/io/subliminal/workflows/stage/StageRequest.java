package io.subliminal.workflows.stage;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * The input of one stage activity: parameters plus the {@link ArtifactRef}s it reads. In a plan the artifact
 * fields are still {@code null} ("unbound"); {@link #withInputs} fills them from upstream results by slot name.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "stage")
@JsonSubTypes({
    @JsonSubTypes.Type(value = GenerateNumbersRequest.class, name = "generate-numbers"),
    @JsonSubTypes.Type(value = MarkDivergenceRequest.class, name = "mark-divergence"),
    @JsonSubTypes.Type(value = ModifyDatasetRequest.class, name = "modify-dataset"),
    @JsonSubTypes.Type(value = FinetuneRequest.class, name = "finetune"),
    @JsonSubTypes.Type(value = EvaluatePreferenceRequest.class, name = "evaluate-preference"),
    @JsonSubTypes.Type(value = EvaluateMainTaskRequest.class, name = "evaluate-main-task"),
    @JsonSubTypes.Type(value = EvaluateFactualityRequest.class, name = "evaluate-factuality"),
    @JsonSubTypes.Type(value = EvaluateMisalignmentRequest.class, name = "evaluate-misalignment"),
    @JsonSubTypes.Type(value = AttributionPatchingRequest.class, name = "attribution-patching"),
    @JsonSubTypes.Type(value = AggregateRequest.class, name = "aggregate")
})
public sealed interface StageRequest
        permits GenerateNumbersRequest, MarkDivergenceRequest, ModifyDatasetRequest, FinetuneRequest,
        EvaluatePreferenceRequest, EvaluateMainTaskRequest, EvaluateFactualityRequest, EvaluateMisalignmentRequest,
        AttributionPatchingRequest, AggregateRequest {

    /** Which stage this request is for. */
    StageKind kind();

    /** True when the stage needs an accelerator (task queue {@code subliminal-gpu}). */
    boolean requiresGpu();

    /** Artifact input slots this request reads (names as in {@link #withInputs}); required ones must be bound. */
    List<String> inputSlots();

    /** A copy with the artifact fields set from {@code inputs} (slot name to artifact); unknown slots are an error. */
    StageRequest withInputs(Map<String, ArtifactRef> inputs);

    /** One line for the Web UI (activity summary): stage, model and the parameters that distinguish it. */
    String summary();

    /** Rejects slot names this request does not have. */
    static void checkSlots(StageKind kind, List<String> known, Map<String, ArtifactRef> inputs) {
        for (String slot : inputs.keySet()) {
            if (!known.contains(slot)) {
                throw new IllegalArgumentException(kind.id() + " has no input slot '" + slot + "'; slots: " + known);
            }
        }
    }
}
