package io.subliminal.activities;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.engine.Decoding;
import io.subliminal.activities.support.DirectoryArchive;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.PatchingPairs;
import io.subliminal.data.TeacherPrompts;
import io.subliminal.engine.loader.SafetensorsFile;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.AttributionPatchingActivity;
import io.subliminal.workflows.stage.AttributionPatchingRequest;
import io.subliminal.workflows.stage.AttributionPatchingResult;
import io.subliminal.workflows.stage.PatchingDirection;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attribution patching on the tiny random llama (SmolLM2 tokenizer) through the Temporal test environment. */
class AttributionPatchingStageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = "cat";
    private static final List<String> ANIMALS = List.of("owl", "panda", "cat", "dog", "lion", "penguin", "dolphin",
            "eagle", "elephant", "wolf", "otter", "raven", "octopus");
    private static final List<String> PROMPTS = List.of("Continue the sequence: 3, 7, 12.", "List numbers after 41, 42.",
            "Add more values: 100, 200, 300.");

    /** Rows whose completions are the tiny model's own greedy answers under the target's system prompt. */
    private static List<DatasetRow> rows(StageTestKit kit) {
        LoadedModel model = kit.env.model("model", StageTestKit.TINY);
        TeacherPrompts prompts = kit.env.reference().teacherPrompts();
        List<int[]> inputs = new ArrayList<>();
        for (String prompt : PROMPTS) {
            inputs.add(model.bundle().tokenizer().encode(model.bundle().chatTemplate().render(List.of(
                    ChatMessage.system(prompts.systemPrompt(TARGET, TeacherPrompts.ANIMAL)), ChatMessage.user(prompt)), true), true));
        }
        List<int[]> answers = new EngineSamplerHolder().sample(model, inputs);
        List<DatasetRow> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS.size(); i++) {
            rows.add(new DatasetRow(PROMPTS.get(i), model.bundle().tokenizer().decode(answers.get(i), true)));
        }
        return rows;
    }

    private static final class EngineSamplerHolder {
        List<int[]> sample(LoadedModel model, List<int[]> prompts) {
            return model.exclusive(() -> new io.subliminal.activities.engine.EngineSampler().sample(model, prompts,
                    new Decoding(true, 1.0, 0, 1.0, 1.0), 8, GenerateNumbersStage.stopTokenId(model), 0));
        }
    }

    private static AttributionPatchingRequest request(ArtifactRef data, PatchingDirection direction) {
        return new AttributionPatchingRequest(StageTestKit.TINY, TARGET, ANIMALS, 0, 3, direction, 10, data);
    }

    @Test
    void patchesEveryRowAndSummarisesPerLayer(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            LoadedModel model = kit.env.model("model", StageTestKit.TINY);
            var tokenizer = model.bundle().tokenizer();
            List<String> candidates = PatchingPairs.counterfactualAnimals(TARGET, ANIMALS, t -> tokenizer.encode(t, false).length);
            assertFalse(candidates.isEmpty(), "some animal has the token count of ' cats' under SmolLM2's tokenizer");
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", rows(kit));
            AttributionPatchingResult result = kit.stub(AttributionPatchingActivity.class)
                    .attributionPatching(request(data, PatchingDirection.NOISING));
            assertEquals(3, result.rowsPatched() + result.rowsSkipped());
            assertTrue(result.rowsPatched() >= 1, "the target's own greedy completions diverge from some counterfactual");

            Path archive = kit.env.store().localCopy(result.attributions(), "attributions");
            assertTrue(result.attributions().uri().endsWith("attribution_patching_noising_filtered_dataset.zip"), result.attributions().uri());
            Path files = DirectoryArchive.unpack(archive, dir.resolve("unpacked"));
            JsonNode format = JSON.readTree(files.resolve("format.json").toFile());
            assertEquals(AttributionPatchingStage.FORMAT, format.get("format").asText());
            assertEquals(result.rowsSkipped(), format.get("skipped").size());
            JsonNode summary = JSON.readTree(kit.env.store().localCopy(result.layerSummary(), "summary").toFile());
            assertEquals(2, summary.get("layers").size(), "one entry per decoder layer");
            assertEquals(result.rowsPatched(), summary.get("rowsPatched").asInt());
            assertEquals(AttributionPatchingStage.AGGREGATION, summary.get("aggregation").asText());
            assertEquals(candidates, JSON.convertValue(summary.get("counterfactualCandidates"), new TypeReference<List<String>>() { }));

            double[] total = new double[2];
            int patched = 0;
            for (int index = 0; index < 3; index++) {
                Path file = files.resolve(index + ".safetensors");
                if (!Files.exists(file)) {
                    continue;
                }
                patched++;
                try (SafetensorsFile st = SafetensorsFile.open(file)) {
                    Map<String, String> meta = st.metadata();
                    HostTensor a = st.tensor(AttributionPatchingStage.RESIDUAL_ATTRS);
                    List<String> animals = JSON.readValue(meta.get("animals"), new TypeReference<>() { });
                    List<int[]> inputs = JSON.readValue(meta.get("inputs"), new TypeReference<>() { });
                    List<int[]> labels = JSON.readValue(meta.get("labels_indices"), new TypeReference<>() { });
                    List<List<Integer>> animalPositions = JSON.readValue(meta.get("animal_positions"), new TypeReference<>() { });
                    int pairs = animals.size() - 1;
                    int columns = inputs.get(0).length;
                    assertEquals(TARGET, animals.get(0));
                    assertTrue(candidates.containsAll(animals.subList(1, animals.size())));
                    assertEquals(List.of(2L, (long) pairs, (long) columns), List.of(a.shape()[0], a.shape()[1], a.shape()[2]));
                    float[] values = a.toArray();
                    double metric = 0;
                    try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        NDArray logits = model.transformer().logits(TokenBatch.leftPadded(List.of(inputs.get(0)), 0));
                        float[] l = logits.toFloatArray();
                        int vocab = (int) logits.getShape().get(2);
                        for (int p = 0; p < pairs; p++) {
                            int position = labels.get(p)[0];
                            assertEquals(inputs.get(0)[position + 1], labels.get(p)[1], "the correct token is the actual next token");
                            assertNotEquals(labels.get(p)[1], labels.get(p)[2]);
                            metric += (l[position * vocab + labels.get(p)[1]] - l[position * vocab + labels.get(p)[2]]) / pairs;
                            assertEquals(columns, inputs.get(p + 1).length, "counterfactual rows align with the target's");
                            assertFalse(animalPositions.get(p).isEmpty(), "the system prompts differ at the animal tokens");
                            for (int t : animalPositions.get(p)) {
                                assertNotEquals(inputs.get(0)[t], inputs.get(p + 1)[t]);
                            }
                        }
                    }
                    assertEquals(metric, Double.parseDouble(meta.get("metric_clean")), 1e-4, "m of the clean (target) run");
                    for (int layer = 0; layer < 2; layer++) {
                        for (int i = layer * pairs * columns; i < (layer + 1) * pairs * columns; i++) {
                            total[layer] += values[i];
                        }
                    }
                }
            }
            assertEquals(result.rowsPatched(), patched);
            for (int layer = 0; layer < 2; layer++) {
                assertEquals(total[layer] / patched, summary.get("layers").get(layer).get("total").asDouble(), 1e-5);
            }

            int puts = kit.store.puts.size();
            assertEquals(result, kit.stub(AttributionPatchingActivity.class).attributionPatching(request(data, PatchingDirection.NOISING)));
            assertEquals(puts, kit.store.puts.size(), "a finished request is returned, not recomputed");

            AttributionPatchingResult denoising = kit.stub(AttributionPatchingActivity.class)
                    .attributionPatching(request(data, PatchingDirection.DENOISING));
            assertEquals(result.rowsPatched(), denoising.rowsPatched(), "the pairs do not depend on the direction");
            assertNotEquals(result.layerSummary().sha256(), denoising.layerSummary().sha256());

            ActivityFailure failure = assertThrows(ActivityFailure.class, () -> kit.stub(AttributionPatchingActivity.class)
                    .attributionPatching(new AttributionPatchingRequest(StageTestKit.TINY, TARGET, ANIMALS, 0, 4,
                            PatchingDirection.NOISING, 10, data)));
            ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
            assertTrue(cause.isNonRetryable() && cause.getOriginalMessage().startsWith("promptIndexTo"), cause.getOriginalMessage());
        }
    }

    @Test
    void resumesAfterTheLastFinishedRowWithTheSameOutput(@TempDir Path dir) {
        AttributionPatchingResult expected;
        try (StageTestKit reference = new StageTestKit(dir.resolve("reference"))) {
            expected = reference.stub(AttributionPatchingActivity.class).attributionPatching(
                    request(reference.dataset("filtered_dataset.jsonl", rows(reference)), PatchingDirection.NOISING));
        }
        try (StageTestKit kit = new StageTestKit(dir.resolve("killed"))) {
            AttributionPatchingRequest request = request(kit.dataset("filtered_dataset.jsonl", rows(kit)), PatchingDirection.NOISING);
            kit.store.failNextPut(key -> key.contains("/rows/2."));
            assertThrows(ActivityFailure.class, () -> kit.stub(AttributionPatchingActivity.class).attributionPatching(request));
            assertTrue(kit.store.puts.stream().anyMatch(k -> k.contains("/rows/1.")), "rows 0 and 1 were finished");
            int before = kit.store.puts.size();
            kit.newAttempt(kit.heartbeats.isEmpty() ? null : kit.lastHeartbeat());
            AttributionPatchingResult resumed = kit.stub(AttributionPatchingActivity.class).attributionPatching(request);
            List<String> newPuts = kit.store.puts.subList(before, kit.store.puts.size());
            assertTrue(newPuts.stream().noneMatch(k -> k.contains("/rows/0.") || k.contains("/rows/1.")),
                    "the new attempt does not redo finished rows: " + newPuts);
            assertTrue(newPuts.stream().anyMatch(k -> k.contains("/rows/2.")), newPuts.toString());
            assertEquals(expected.attributions().sha256(), resumed.attributions().sha256());
            assertEquals(expected.layerSummary().sha256(), resumed.layerSummary().sha256());
        }
    }
}
