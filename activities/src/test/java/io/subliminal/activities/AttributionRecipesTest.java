package io.subliminal.activities;

import io.subliminal.workflows.plan.InputBinding;
import io.subliminal.workflows.plan.RunPlan;
import io.subliminal.workflows.plan.StageInvocation;
import io.subliminal.workflows.recipe.ModelRegistry;
import io.subliminal.workflows.recipe.RecipeLoader;
import io.subliminal.workflows.stage.AttributionPatchingRequest;
import io.subliminal.workflows.stage.GenerateNumbersRequest;
import io.subliminal.workflows.stage.GenerateNumbersResult;
import io.subliminal.workflows.stage.PatchingDirection;
import io.subliminal.workflows.stage.Targets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The attribution figures' recipes (Figs 4, 22-26) expand into requests the attribution stage accepts. */
class AttributionRecipesTest {
    private static final Path ROOT = Path.of(System.getProperty("subliminal.root"));
    private static final ModelRegistry REGISTRY = RecipeLoader.loadRegistry(ROOT.resolve("cfgs/models.yaml"));

    @ParameterizedTest
    @CsvSource({"fig-4, NOISING, temperature", "fig-22, NOISING, temperature", "fig-23, NOISING, temperature",
            "fig-24, NOISING, greedy", "fig-25, NOISING, greedy", "fig-26, DENOISING, greedy"})
    void expandsToAttributionRequestsOnTheTeacherData(String figure, PatchingDirection direction, String sampling) {
        List<RunPlan> runs = RecipeLoader.load(ROOT.resolve("cfgs/figures/" + figure + ".yaml"), REGISTRY).runs();
        assertFalse(runs.isEmpty());
        for (RunPlan run : runs) {
            StageInvocation attribution = run.stages().stream().filter(s -> s.name().equals("attribution")).findFirst()
                    .orElseThrow(() -> new AssertionError(run.runId() + " has no attribution stage"));
            AttributionPatchingRequest request = assertInstanceOf(AttributionPatchingRequest.class, attribution.request());
            assertTrue(REGISTRY.find(request.model()).supportsDivergence(), request.model() + " is patchable (qwen2/gemma3)");
            assertEquals(run.model(), request.model());
            assertEquals(run.target(), request.target());
            assertEquals(Targets.ANIMALS, request.animals(), "counterfactuals come from the 13 animals");
            assertEquals(0, request.promptIndexFrom());
            assertEquals(100, request.promptIndexTo());
            assertEquals(10, request.alphaSteps());
            assertEquals(direction, request.direction());
            assertFalse(run.stages().stream().anyMatch(s -> s.name().startsWith("finetune")), "no training");

            InputBinding data = attribution.inputs().get(AttributionPatchingRequest.DATASET);
            assertEquals(GenerateNumbersResult.FILTERED, data.output());
            StageInvocation generate = run.stages().stream().filter(s -> s.name().equals(data.stage())).findFirst().orElseThrow();
            GenerateNumbersRequest teacher = assertInstanceOf(GenerateNumbersRequest.class, generate.request());
            assertEquals(run.target(), teacher.target(), "the teacher data of the patched target");
            assertEquals(sampling.equals("greedy"), teacher.sampling().greedy(), figure + " sampling");
            assertTrue(teacher.promptCount() >= request.promptIndexTo(), "enough teacher rows for rows 0..99");
        }
    }
}
