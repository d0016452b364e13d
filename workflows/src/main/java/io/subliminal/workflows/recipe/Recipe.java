package io.subliminal.workflows.recipe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * A figure recipe ({@code cfgs/figures/*.yaml}): the sweep axes and the conditions. Runs = models x targets x
 * conditions x seeds; each run expands into content-keyed stage invocations.
 *
 * @param figure figure id ("fig-3"); first part of every run ID
 * @param title what the figure shows
 * @param protocol where PROTOCOL.md defines it
 * @param category preference category: animal, tree, or misalignment (no system-prompt bias)
 * @param models student models (registry names)
 * @param teacher teacher model for every run (registry name); null = the student's own base model
 * @param targets preference targets ("em" for misalignment)
 * @param targetsByModel per-model target lists replacing {@code targets} for that model (Fig 16), or null
 * @param seeds finetuning seeds
 * @param conditions the conditions
 * @param defaults per stage id ("finetune", "generate-numbers", ...), overrides applied before the condition's own
 * @param maxConcurrentRuns sliding-window size of the sweep (default 8)
 * @param rescoreTargets extra words counted by the aggregation in preference results (Fig 35: qwen)
 */
public record Recipe(
        String figure,
        String title,
        String protocol,
        String category,
        List<String> models,
        String teacher,
        List<String> targets,
        Map<String, List<String>> targetsByModel,
        List<Long> seeds,
        List<Condition> conditions,
        Map<String, ObjectNode> defaults,
        Integer maxConcurrentRuns,
        List<String> rescoreTargets) {

    public Recipe {
        models = models == null ? List.of() : List.copyOf(models);
        targets = targets == null ? List.of() : List.copyOf(targets);
        targetsByModel = targetsByModel == null ? Map.of() : new java.util.TreeMap<>(targetsByModel);
        seeds = seeds == null ? List.of() : List.copyOf(seeds);
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        defaults = defaults == null ? Map.of() : new java.util.TreeMap<>(defaults);
        maxConcurrentRuns = maxConcurrentRuns == null ? 8 : maxConcurrentRuns;
        rescoreTargets = rescoreTargets == null ? List.of() : List.copyOf(rescoreTargets);
    }

    /** The targets of student {@code model}. */
    public List<String> targetsOf(String model) {
        return targetsByModel.getOrDefault(model, targets);
    }

    /** A copy with more targets and seeds (the sweep's addRuns update); existing values keep their order. */
    public Recipe extendedWith(List<String> moreTargets, List<Long> moreSeeds) {
        List<String> allTargets = new java.util.ArrayList<>(targets);
        moreTargets.stream().filter(t -> !allTargets.contains(t)).forEach(allTargets::add);
        List<Long> allSeeds = new java.util.ArrayList<>(seeds);
        moreSeeds.stream().filter(s -> !allSeeds.contains(s)).forEach(allSeeds::add);
        Map<String, List<String>> byModel = new java.util.TreeMap<>();
        targetsByModel.forEach((model, list) -> {
            List<String> extended = new java.util.ArrayList<>(list);
            moreTargets.stream().filter(t -> !extended.contains(t)).forEach(extended::add);
            byModel.put(model, extended);
        });
        return new Recipe(figure, title, protocol, category, models, teacher, allTargets, byModel, allSeeds, conditions, defaults,
                maxConcurrentRuns, rescoreTargets);
    }
}
