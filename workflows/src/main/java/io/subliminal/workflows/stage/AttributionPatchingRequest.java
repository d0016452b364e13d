package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * Attribution patching over a range of dataset rows (PROTOCOL.md §11.2, Figs 4, 22-26).
 *
 * @param model registry name of the model (qwen or gemma family)
 * @param target the factual teacher's animal
 * @param animals candidate counterfactual animals (those with the target's token count are used)
 * @param promptIndexFrom first row index (0)
 * @param promptIndexTo exclusive last row index (100)
 * @param direction noising or denoising
 * @param alphaSteps interpolation steps of the integrated gradient (10)
 * @param dataset the teacher rows (slot {@value #DATASET})
 */
public record AttributionPatchingRequest(String model, String target, List<String> animals, int promptIndexFrom,
                                         int promptIndexTo, PatchingDirection direction, int alphaSteps,
                                         ArtifactRef dataset) implements StageRequest {
    public static final String DATASET = "dataset";

    public AttributionPatchingRequest {
        Checks.nonBlank("model", model);
        Checks.nonBlank("target", target);
        animals = Checks.list(animals);
        Checks.check(animals.contains(target), "animals must contain the target '" + target + "', got " + animals);
        Checks.nonNegative("promptIndexFrom", promptIndexFrom);
        Checks.check(promptIndexTo > promptIndexFrom, "promptIndexTo must be > promptIndexFrom, got " + promptIndexTo);
        Checks.present("direction", direction);
        Checks.positive("alphaSteps", alphaSteps);
    }

    /** The paper's 100 rows (indices 0..99, assumed), noising, 10 steps, the 13 animals. */
    public static AttributionPatchingRequest paper(String model, String target) {
        return new AttributionPatchingRequest(model, target, Targets.ANIMALS, 0, 100, PatchingDirection.NOISING, 10, null);
    }

    @Override
    public StageKind kind() {
        return StageKind.ATTRIBUTION_PATCHING;
    }

    @Override
    public boolean requiresGpu() {
        return true;
    }

    @Override
    public List<String> inputSlots() {
        return List.of(DATASET);
    }

    @Override
    public AttributionPatchingRequest withInputs(Map<String, ArtifactRef> inputs) {
        StageRequest.checkSlots(kind(), inputSlots(), inputs);
        return new AttributionPatchingRequest(model, target, animals, promptIndexFrom, promptIndexTo, direction,
                alphaSteps, inputs.getOrDefault(DATASET, dataset));
    }

    @Override
    public String summary() {
        return "attribution patching " + target + " on " + model + " rows " + promptIndexFrom + ".." + (promptIndexTo - 1);
    }
}
