package io.subliminal.workflows.sweep;

import io.subliminal.workflows.recipe.ModelRegistry;
import io.subliminal.workflows.recipe.Recipe;
import io.subliminal.workflows.recipe.RecipeExpander;
import java.util.List;
import java.util.Objects;

/**
 * Input of a {@link SweepWorkflow}; also the state carried across continue-as-new.
 *
 * @param file recipe file name (for error messages)
 * @param recipe the validated recipe (extended by addRuns updates)
 * @param registry the model registry the recipe was validated against
 * @param runIdHash recipe hash used in run IDs; null = hash of {@code recipe} (kept fixed when extended)
 * @param runsPerExecution continue-as-new after starting this many runs in one execution (history bound)
 * @param paused scheduling paused
 * @param finished runs already finished in earlier executions
 * @param inFlight runs still running when the previous execution continued as new (children are abandoned, not
 *        stopped: the new execution waits for them)
 */
public record SweepInput(String file, Recipe recipe, ModelRegistry registry, String runIdHash, int runsPerExecution,
                         boolean paused, List<RunRecord> finished, List<String> inFlight) {
    /** Default bound of runs started per execution; the server's continue-as-new suggestion usually comes first. */
    public static final int DEFAULT_RUNS_PER_EXECUTION = 400;

    public SweepInput {
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(registry, "registry");
        file = file == null ? recipe.figure() : file;
        runIdHash = runIdHash == null ? RecipeExpander.recipeHash(recipe) : runIdHash;
        runsPerExecution = runsPerExecution <= 0 ? DEFAULT_RUNS_PER_EXECUTION : runsPerExecution;
        finished = finished == null ? List.of() : List.copyOf(finished);
        inFlight = inFlight == null ? List.of() : List.copyOf(inFlight);
    }

    /** A fresh sweep of {@code recipe}. */
    public static SweepInput of(String file, Recipe recipe, ModelRegistry registry) {
        return new SweepInput(file, recipe, registry, null, DEFAULT_RUNS_PER_EXECUTION, false, List.of(), List.of());
    }
}
