package io.subliminal.workflows.recipe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * One condition of a figure: how its teacher data is made and modified, how the student trains and what is
 * evaluated. Object-valued fields are overrides of the stage's paper defaults, keyed by the request's field names.
 *
 * @param name condition label in run IDs and plots ("T-div")
 * @param models restricts the condition to these students (registry names); null = every model of the recipe
 * @param sampling teacher sampling (default temperature)
 * @param teacher teacher override (registry name); default the recipe's teacher, else the student's base model
 * @param generate overrides of the generate-numbers request
 * @param modify dataset operations applied in order (each needs "operation")
 * @param divergence present = mark divergence tokens (overrides of mark-divergence)
 * @param mixing present = teacher mixing (§6.2) after marking (overrides: mixRatio or mixOnlyFirst)
 * @param mixin mix-in data for training, or null
 * @param train false = no finetuning (data or analysis figures)
 * @param loraRank LoRA rank axis (default 8)
 * @param fullFinetune full-finetuning control (no adapter)
 * @param finetune overrides of the finetune request
 * @param evaluate evaluations of the final weights: preference, main-task, factuality, misalignment (overrides)
 * @param evaluateBase also evaluate the base model (shared by every run of that model)
 * @param attribution present = attribution patching on the teacher data (overrides)
 */
public record Condition(
        String name,
        List<String> models,
        TeacherSampling sampling,
        String teacher,
        ObjectNode generate,
        List<ObjectNode> modify,
        ObjectNode divergence,
        ObjectNode mixing,
        MixinSpec mixin,
        Boolean train,
        Integer loraRank,
        Boolean fullFinetune,
        ObjectNode finetune,
        Map<String, ObjectNode> evaluate,
        Boolean evaluateBase,
        ObjectNode attribution) {

    public Condition {
        models = models == null ? null : List.copyOf(models);
        sampling = sampling == null ? TeacherSampling.TEMPERATURE : sampling;
        modify = modify == null ? List.of() : List.copyOf(modify);
        train = train == null ? Boolean.TRUE : train;
        fullFinetune = fullFinetune == null ? Boolean.FALSE : fullFinetune;
        evaluate = evaluate == null ? Map.of() : new java.util.TreeMap<>(evaluate);
        evaluateBase = evaluateBase == null ? Boolean.TRUE : evaluateBase;
    }

    /** True when the condition applies to student {@code model}. */
    public boolean appliesTo(String model) {
        return models == null || models.contains(model);
    }
}
