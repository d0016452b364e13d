package io.subliminal.workflows.plan;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One run of a figure: the coordinates that name it and its stage invocations in dependency order.
 *
 * @param runId the run workflow's ID: figure/model/target/condition/seed-N/recipe-hash
 * @param figure figure id ("fig-3")
 * @param model student model (registry name)
 * @param target preference target ("owl"; "em" for misalignment)
 * @param condition condition name from the recipe ("T-div")
 * @param seed finetuning seed
 * @param stages invocations, every input bound to an earlier one
 */
public record RunPlan(String runId, String figure, String model, String target, String condition, long seed,
                      List<StageInvocation> stages) {
    public RunPlan {
        Objects.requireNonNull(runId, "runId");
        stages = List.copyOf(stages);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (StageInvocation stage : stages) {
            for (InputBinding input : stage.inputs().values()) {
                if (!seen.contains(input.stage())) {
                    throw new IllegalArgumentException(runId + ": stage " + stage.name() + " reads " + input.stage() + " before it runs");
                }
            }
            if (!seen.add(stage.name())) {
                throw new IllegalArgumentException(runId + ": duplicate stage name " + stage.name());
            }
        }
    }

    /** The run's coordinates as labels (aggregation columns). */
    public Map<String, String> labels() {
        return Map.of("figure", figure, "model", model, "target", target, "condition", condition, "seed", String.valueOf(seed));
    }
}
