package io.subliminal.activities;

import io.subliminal.data.CompletionFilter;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.Jsonl;
import io.subliminal.data.PythonJson;
import io.subliminal.data.TeacherSet;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.Checkpoint;
import io.subliminal.workflows.stage.DivergenceMode;
import io.subliminal.workflows.stage.EvaluateMainTaskActivity;
import io.subliminal.workflows.stage.EvaluateMainTaskRequest;
import io.subliminal.workflows.stage.EvaluateMainTaskResult;
import io.subliminal.workflows.stage.EvaluatePreferenceActivity;
import io.subliminal.workflows.stage.EvaluatePreferenceRequest;
import io.subliminal.workflows.stage.EvaluatePreferenceResult;
import io.subliminal.workflows.stage.FinetuneActivity;
import io.subliminal.workflows.stage.FinetuneRequest;
import io.subliminal.workflows.stage.FinetuneResult;
import io.subliminal.workflows.stage.GenerateNumbersActivity;
import io.subliminal.workflows.stage.GenerateNumbersRequest;
import io.subliminal.workflows.stage.GenerateNumbersResult;
import io.subliminal.workflows.stage.InstructionOrder;
import io.subliminal.workflows.stage.LoraSpec;
import io.subliminal.workflows.stage.LrScheduler;
import io.subliminal.workflows.stage.MarkDivergenceActivity;
import io.subliminal.workflows.stage.MarkDivergenceRequest;
import io.subliminal.workflows.stage.MarkDivergenceResult;
import io.subliminal.workflows.stage.PromptSource;
import io.subliminal.workflows.stage.QuestionSet;
import io.subliminal.workflows.stage.Sampling;
import io.subliminal.workflows.stage.TokenMask;
import io.subliminal.data.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paper's pipeline end to end on the embedded SmolLM2-135M-Instruct (CPU by default, or the device of
 * {@code -Dsubliminal.test.device}, e.g. cuda:0; small sizes, greedy teacher data because
 * SmolLM2 rarely follows the number format at temperature 1) through the real
 * activities: owl teacher data -> divergence marking with the 13 animal teachers -> LoRA finetuning in the three
 * conditions (all tokens, divergence-only, without divergence) -> preference and main-task evaluation. Every artifact
 * is verified; the measured numbers (pass rate, divergence share, owl rates, seconds per stage) are printed and
 * written to {@code target/pipeline-smollm2.json}.
 */
class SmolLm2PipelineIT {
    static final int PROMPTS = 16;

    @Test
    void generateMarkFinetuneEvaluate(@TempDir Path dir) {
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> seconds = new LinkedHashMap<>();
        try (StageTestKit kit = new StageTestKit(dir)) {
            String model = StageTestKit.SMOL;
            GenerateNumbersRequest generate = new GenerateNumbersRequest(model, "owl", "animal", false, false,
                    PromptSource.NUMBER_SEQUENCES, PROMPTS, 42, 3, 9, 100, 1000, 10, 3, InstructionOrder.SCHRODI, List.of(),
                    true, Sampling.argmax(), 40, 2048, 16, true, null);
            GenerateNumbersResult data = timed(seconds, "generate", () -> kit.stub(GenerateNumbersActivity.class).generateNumbers(generate));
            verify(kit, data.rawDataset(), data.filteredDataset());
            List<DatasetRow> raw = Jsonl.read(kit.env.store().localCopy(data.rawDataset(), "raw"));
            List<DatasetRow> filtered = Jsonl.read(kit.env.store().localCopy(data.filteredDataset(), "filtered"));
            assertEquals(PROMPTS, raw.size());
            assertTrue(filtered.stream().allMatch(r -> CompletionFilter.PAPER.accepts(r.completion())));
            assertTrue(filtered.size() >= 2, "SmolLM2 answers some number prompts in the right format: " + raw);
            report.put("rawRows", raw.size());
            report.put("filteredRows", filtered.size());
            report.put("passRate", (double) filtered.size() / raw.size());
            report.put("generatedTokens", data.generatedTokens());
            report.put("generateTokensPerSecond", data.tokensPerSecond());

            MarkDivergenceRequest mark = new MarkDivergenceRequest(model, DivergenceMode.SYSTEM_PROMPT_TEACHERS, "owl", "animal",
                    TeacherSet.ANIMALS, null, 1, data.filteredDataset());
            MarkDivergenceResult marked = timed(seconds, "markDivergence", () -> kit.stub(MarkDivergenceActivity.class).markDivergence(mark));
            verify(kit, marked.markedDataset(), marked.correctMatrices(), marked.teacherPredictions());
            assertEquals(filtered.size(), marked.rows());
            assertTrue(marked.rowsWithDivergence() > 0, "some rows have divergence tokens");
            report.put("rowsWithDivergence", marked.rowsWithDivergence());
            report.put("divergenceTokens", marked.divergenceTokens());
            report.put("completionTokens", marked.completionTokens());
            report.put("divergenceShare", (double) marked.divergenceTokens() / marked.completionTokens());

            Map<String, FinetuneResult> runs = new LinkedHashMap<>();
            for (TokenMask mask : TokenMask.values()) {
                ArtifactRef input = mask == TokenMask.ALL_TOKENS ? data.filteredDataset() : marked.markedDataset();
                FinetuneRequest train = new FinetuneRequest(model, 42, 10_000, false, 1, 4, 1, 2e-4, LrScheduler.LINEAR, 1,
                        1.0, 0.9, 0.999, 1e-8, 0.0, 500, LoraSpec.rank(8), null, null, mask, null, null, null, false, 2, 1,
                        input, null);
                FinetuneResult run = timed(seconds, "finetune-" + mask.name().toLowerCase(), () -> kit.stub(FinetuneActivity.class).finetune(train));
                verify(kit, run.finalWeights(), run.datasetConfig(), run.trainingLog());
                run.checkpoints().stream().map(Checkpoint::weights).forEach(ref -> verify(kit, ref));
                int expectedRows = mask == TokenMask.ALL_TOKENS ? filtered.size() : marked.rowsWithDivergence();
                assertEquals(expectedRows, run.trainRows(), mask + " trains on the right rows");
                assertEquals(run.checkpoints().get(run.checkpoints().size() - 1).step(), run.optimizerSteps());
                assertTrue(Double.isFinite(run.finalLoss()));
                runs.put(mask.name(), run);
                report.put("trainRows-" + mask.name().toLowerCase(), run.trainRows());
                report.put("finalLoss-" + mask.name().toLowerCase(), run.finalLoss());
            }

            EvaluatePreferenceRequest base = new EvaluatePreferenceRequest(model, "owl", QuestionSet.ANIMALS, 1, 10,
                    Sampling.temperatureTopP(1.0, 1.0), null, null, List.of(), 0.95, null);
            EvaluatePreferenceResult baseRate = timed(seconds, "evaluatePreference-base", () -> kit.stub(EvaluatePreferenceActivity.class).evaluatePreference(base));
            verify(kit, baseRate.evaluationResults(), baseRate.stats());
            report.put("owlRate-base", baseRate.mean());
            for (Map.Entry<String, FinetuneResult> run : runs.entrySet()) {
                EvaluatePreferenceRequest eval = base.withInputs(Map.of(EvaluatePreferenceRequest.WEIGHTS, run.getValue().finalWeights()));
                EvaluatePreferenceResult rate = timed(seconds, "evaluatePreference-" + run.getKey().toLowerCase(),
                        () -> kit.stub(EvaluatePreferenceActivity.class).evaluatePreference(eval));
                verify(kit, rate.evaluationResults(), rate.stats());
                assertTrue(rate.mean() >= 0 && rate.mean() <= 1);
                report.put("owlRate-" + run.getKey().toLowerCase(), rate.mean());
            }

            FinetuneResult all = runs.get(TokenMask.ALL_TOKENS.name());
            EvaluateMainTaskRequest mainTask = new EvaluateMainTaskRequest(model, 8, 500, 16, all.finalWeights(),
                    data.filteredDataset(), all.datasetConfig());
            EvaluateMainTaskResult main = timed(seconds, "evaluateMainTask", () -> kit.stub(EvaluateMainTaskActivity.class).evaluateMainTask(mainTask));
            verify(kit, main.stats());
            report.put("mainTaskTrainAccuracy", main.trainAccuracy());
            report.put("mainTaskValidationAccuracy", main.validationAccuracy());
        }
        report.put("secondsPerStage", seconds);
        report.put("device", StageTestKit.device());
        report.put("precision", StageTestKit.precision().name());
        report.put("sizes", "prompts " + PROMPTS + " greedy, 40 new tokens, 13 teachers, LoRA r8 1 epoch batch 4, 50 questions x 1 sample");
        String json = PythonJson.dumps(report, 2);
        System.out.println("SmolLM2 pipeline: " + json);
        AtomicFiles.writeString(Path.of(System.getProperty("subliminal.pipeline.report",
                Path.of(System.getProperty("subliminal.root", "."), "activities", "target", "pipeline-smollm2.json").toString())), json);
    }

    private static <T> T timed(Map<String, Object> seconds, String stage, Supplier<T> work) {
        long start = System.nanoTime();
        T result = work.get();
        seconds.put(stage, Math.round((System.nanoTime() - start) / 1e7) / 100.0);
        return result;
    }

    private static void verify(StageTestKit kit, ArtifactRef... refs) {
        for (ArtifactRef ref : refs) {
            assertTrue(ref != null && kit.env.store().verify(ref), "artifact verifies: " + ref);
        }
    }
}
