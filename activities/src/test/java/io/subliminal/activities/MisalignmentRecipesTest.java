package io.subliminal.activities;

import io.subliminal.activities.judge.JudgeEndpoints;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.workflows.plan.RunPlan;
import io.subliminal.workflows.plan.StageInvocation;
import io.subliminal.workflows.recipe.ModelRegistry;
import io.subliminal.workflows.recipe.RecipeLoader;
import io.subliminal.workflows.stage.DatasetOperation;
import io.subliminal.workflows.stage.EvaluateMisalignmentRequest;
import io.subliminal.workflows.stage.MisalignmentSuffix;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The misalignment recipes (Figs 8, 32, 33, 34) expand into requests the misalignment stage and the GSM8K judge filter
 * accept with the project's registry and judge list: every judge resolves to a local registry model or a configured
 * endpoint, suffixes and lengths follow PROTOCOL §11.4/§11.5, and Fig 32's threshold conditions share answers and
 * judgements.
 */
class MisalignmentRecipesTest {
    private static final Path CFGS = Path.of(System.getProperty("subliminal.root"), "cfgs");

    private static List<StageInvocation> stages(String figure, ModelRegistry registry) {
        List<StageInvocation> out = new ArrayList<>();
        for (RunPlan run : RecipeLoader.load(CFGS.resolve("figures").resolve(figure + ".yaml"), registry).runs()) {
            out.addAll(run.stages());
        }
        return out;
    }

    private static void judgeResolves(String judge, ModelRegistry registry, JudgeEndpoints endpoints) {
        assertTrue(endpoints.find(judge).isPresent() || registry.find(judge) != null,
                "judge '" + judge + "' is neither in judges.yaml nor in models.yaml");
    }

    @Test
    void misalignmentRecipesProduceRequestsTheStagesAccept() {
        ModelRegistry registry = RecipeLoader.loadRegistry(CFGS.resolve("models.yaml"));
        JudgeEndpoints endpoints = JudgeEndpoints.load(CFGS.resolve("judges.yaml"), name -> null);
        Map<String, MisalignmentSuffix> suffix = Map.of("fig-8", MisalignmentSuffix.SHORT_ANSWER, "fig-32", MisalignmentSuffix.SHORT_ANSWER,
                "fig-33", MisalignmentSuffix.ONE_WORD_PER_LINE, "fig-34", MisalignmentSuffix.NONE);
        for (String figure : List.of("fig-8", "fig-32", "fig-33", "fig-34")) {
            int evaluations = 0;
            for (StageInvocation stage : stages(figure, registry)) {
                if (stage.request() instanceof EvaluateMisalignmentRequest r) {
                    evaluations++;
                    judgeResolves(r.judgeModel(), registry, endpoints);
                    assertEquals(suffix.get(figure), r.suffix(), figure);
                    assertEquals(200, r.samplesPerQuestion());
                    assertEquals(figure.equals("fig-34") ? 1024 : 10, r.maxNewTokens(), figure);
                    assertEquals(figure.equals("fig-34") ? 1024 : 10, r.judgeMaxNewTokens(), figure);
                    assertEquals(figure.equals("fig-34"), endpoints.find(r.judgeModel()).isPresent(),
                            figure + ": the numbers judge runs locally, the GSM8K judge over HTTP");
                    assertEquals(1.0, r.judgeSampling().temperature());
                    assertTrue(r.judgeSampling().topK() == null && r.judgeSampling().repetitionPenalty() == null);
                    assertEquals(!stage.name().endsWith("-base"), stage.inputs().containsKey(EvaluateMisalignmentRequest.WEIGHTS),
                            stage.name() + ": the student's weights, or none for the base model");
                }
                if (stage.request() instanceof ModifyDatasetRequest m && m.operation() == DatasetOperation.JUDGE_SCORE_FILTER) {
                    judgeResolves(m.judgeModel(), registry, endpoints);
                    assertEquals(78, m.judgeMinScore());
                    assertTrue(endpoints.find(m.judgeModel()).isPresent(), "§11.5 step 4 judges over HTTP");
                }
            }
            assertTrue(evaluations > 0, figure + " has misalignment evaluations");
        }
    }

    @Test
    void fig32ThresholdConditionsShareAnswersAndJudgements() {
        ModelRegistry registry = RecipeLoader.loadRegistry(CFGS.resolve("models.yaml"));
        Map<String, Set<String>> judgedKeysByTraining = new HashMap<>();
        Set<Integer> thresholds = new HashSet<>();
        for (RunPlan run : RecipeLoader.load(CFGS.resolve("figures").resolve("fig-32.yaml"), registry).runs()) {
            String train = run.stages().stream().filter(s -> s.name().equals("train")).findFirst().orElseThrow().key();
            for (StageInvocation stage : run.stages()) {
                if (stage.request() instanceof EvaluateMisalignmentRequest r) {
                    thresholds.add(r.alignmentThreshold());
                    judgedKeysByTraining.computeIfAbsent(train, k -> new HashSet<>())
                            .add(StageOutputs.contentKey(EvaluateMisalignmentStage.judged(r)));
                }
            }
        }
        assertEquals(Set.of(30, 40, 50), thresholds);
        assertFalse(judgedKeysByTraining.isEmpty());
        for (Set<String> keys : judgedKeysByTraining.values()) {
            assertEquals(1, keys.size(), "one set of answers and judgements per trained model, re-scored per threshold");
        }
    }
}
