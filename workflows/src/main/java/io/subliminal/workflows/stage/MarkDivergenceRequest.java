package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * Divergence-token marking (PROTOCOL.md §6.1, §6.3) of a teacher dataset under teacher forcing.
 *
 * @param model registry name of the base model (the teachers of §6.1; the "original" model of §6.3)
 * @param mode system-prompt teachers or a finetuned teacher
 * @param target the factual teacher's preference (§6.1); ignored for {@link DivergenceMode#FINETUNED_TEACHER}
 * @param category preference category in the teachers' system prompts ("animal" or "tree")
 * @param teachers the ordered teacher set including the target (§6.1); the correctness matrix rows follow it
 * @param finetunedTeacherModel registry name of the finetuned teacher (§6.3), else null
 * @param batchSize rows per forward pass (§6.1: 1 row = |teachers| sequences; §6.3: 32)
 * @param dataset input rows {prompt, completion} (slot {@value #DATASET})
 */
public record MarkDivergenceRequest(
        String model,
        DivergenceMode mode,
        String target,
        String category,
        List<String> teachers,
        String finetunedTeacherModel,
        int batchSize,
        ArtifactRef dataset) implements StageRequest {
    public static final String DATASET = "dataset";

    public MarkDivergenceRequest {
        Checks.nonBlank("model", model);
        Checks.present("mode", mode);
        Checks.positive("batchSize", batchSize);
        teachers = Checks.list(teachers);
        if (mode == DivergenceMode.SYSTEM_PROMPT_TEACHERS) {
            Checks.nonBlank("target", target);
            Checks.nonBlank("category", category);
            Checks.check(teachers.contains(target), "teachers must contain the target '" + target + "', got " + teachers);
            Checks.check(teachers.size() >= 2, "teachers needs at least one counterfactual teacher, got " + teachers);
        } else {
            Checks.nonBlank("finetunedTeacherModel", finetunedTeacherModel);
        }
    }

    /** §6.1 with the paper's teacher set for the model family ("qwen", "gemma"). */
    public static MarkDivergenceRequest systemPromptTeachers(String model, String modelFamily, String target, String category) {
        return new MarkDivergenceRequest(model, DivergenceMode.SYSTEM_PROMPT_TEACHERS, target, category,
                Targets.divergenceTeachers(modelFamily, category), null, 1, null);
    }

    /** §6.3: original versus misaligned teacher, batch 32. */
    public static MarkDivergenceRequest finetunedTeacher(String originalModel, String finetunedTeacherModel) {
        return new MarkDivergenceRequest(originalModel, DivergenceMode.FINETUNED_TEACHER, null, null, List.of(),
                finetunedTeacherModel, 32, null);
    }

    @Override
    public StageKind kind() {
        return StageKind.MARK_DIVERGENCE;
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
    public MarkDivergenceRequest withInputs(Map<String, ArtifactRef> inputs) {
        StageRequest.checkSlots(kind(), inputSlots(), inputs);
        return new MarkDivergenceRequest(model, mode, target, category, teachers, finetunedTeacherModel, batchSize,
                inputs.getOrDefault(DATASET, dataset));
    }

    @Override
    public String summary() {
        return mode == DivergenceMode.SYSTEM_PROMPT_TEACHERS
                ? "mark divergence tokens for " + target + " with " + model + " (" + teachers.size() + " teachers)"
                : "mark divergence tokens " + model + " vs " + finetunedTeacherModel;
    }
}
