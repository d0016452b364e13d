package io.subliminal.workflows.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.workflows.payload.ArtifactRef;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StageRequestsTest {
    private static final ArtifactRef DATA = new ArtifactRef("file:///store/a.jsonl", "a".repeat(64), 10);
    private final DataConverter converter = DefaultDataConverter.newDefaultInstance();

    private StageRequest roundTrip(StageRequest request) {
        var payloads = converter.toPayloads(request).orElseThrow();
        return converter.fromPayloads(0, Optional.of(payloads), StageRequest.class, StageRequest.class);
    }

    @Test
    void everyPaperRequestSurvivesTheTemporalDataConverterAsItsOwnType() {
        List<StageRequest> requests = List.of(
                GenerateNumbersRequest.paper("qwen", "owl", "animal", Sampling.temperature(1.0)),
                GenerateNumbersRequest.control("gemma", Sampling.argmax()),
                MarkDivergenceRequest.systemPromptTeachers("gemma", "gemma", "owl", "animal").withInputs(Map.of("dataset", DATA)),
                ModifyDatasetRequest.teacherMixing("qwen", 0.5),
                ModifyDatasetRequest.entangledNumbers("qwen", Targets.ANIMALS),
                ModifyDatasetRequest.entangledFilter("owl", 50, Sampling.argmax()).withInputs(Map.of("dataset", DATA, "entangled-numbers", DATA)),
                FinetuneRequest.paper("qwen", 43, TokenMask.WITHOUT_DIVERGENCE).withInputs(Map.of("dataset", DATA)),
                EvaluatePreferenceRequest.paper("qwen", "owl", QuestionSet.ANIMALS),
                EvaluateMainTaskRequest.paper("qwen"),
                EvaluateFactualityRequest.paper("qwen", "owl"),
                EvaluateMisalignmentRequest.numbers("qwen", MisalignmentSuffix.SHORT_ANSWER, "gemma-3-27b"),
                AttributionPatchingRequest.paper("qwen", "owl"),
                new AggregateRequest("fig-3", "sweep", List.of(), List.of("qwen")));
        for (StageRequest request : requests) {
            assertEquals(request, roundTrip(request), request.kind().id());
        }
        assertEquals(15, ((MarkDivergenceRequest) requests.get(2)).teachers().size());
    }

    @Test
    void samplingNullsMeanGenerationConfig() {
        Sampling temperature = GenerateNumbersRequest.paper("qwen", "owl", "animal", Sampling.temperature(1.0)).sampling();
        assertNull(temperature.topK());
        assertNull(temperature.repetitionPenalty());
        assertEquals(1.0, Sampling.argmax().repetitionPenalty());
        assertThrows(IllegalArgumentException.class, () -> new Sampling(true, 1.0, null, null, null));
    }

    @Test
    void paperFinetuneHasTheProtocolStepCountsAndRunNames() {
        FinetuneRequest run = FinetuneRequest.paper("qwen", 42, TokenMask.ALL_TOKENS);
        assertEquals(167, run.stepsPerEpoch(10_000));
        assertEquals(83, run.saveSteps(10_000));
        assertEquals("filtered-dataset-lora-8-seed-42", run.runDirectoryName("filtered_dataset"));
        FinetuneRequest inverse = FinetuneRequest.paper("qwen", 43, TokenMask.WITHOUT_DIVERGENCE);
        assertEquals("filtered-dataset-dpoints-only-inverse-lora-8-seed-43", inverse.runDirectoryName("filtered_dataset_dpoints_only"));
        FinetuneRequest layer = new FinetuneRequest("qwen", 44, 10_000, false, 10, 10, 6, 2e-4, LrScheduler.LINEAR, 5, 1.0,
                0.9, 0.999, 1e-8, 0.0, 500, LoraSpec.rank(8).onLayers(List.of(0)), null, null, TokenMask.ALL_TOKENS,
                null, null, null, false, 20, 10, null, null);
        assertEquals("filtered-dataset-lora-8-layers-0-seed-44", layer.runDirectoryName("filtered_dataset"));
        assertEquals("x-lora-8-layers-5to27-seed-44", layer.withLora(LoraSpec.rank(8).onLayers(java.util.stream.IntStream.rangeClosed(5, 27).boxed().toList())).runDirectoryName("x"));
    }

    @Test
    void badValuesNameTheField() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ModifyDatasetRequest.entangledFilter("owl", 0, Sampling.argmax()));
        assertTrue(error.getMessage().contains("entangledTopK"), error.getMessage());
        error = assertThrows(IllegalArgumentException.class, () -> ModifyDatasetRequest.entangledNumbers("qwen", List.of("owl")));
        assertTrue(error.getMessage().contains("entangledPreferences"), error.getMessage());
        assertEquals(List.of("dataset", "entangled-numbers"), ModifyDatasetRequest.entangledFilter("owl", 50, Sampling.argmax()).inputSlots());
        assertEquals(List.of(), ModifyDatasetRequest.entangledNumbers("qwen", Targets.ANIMALS).inputSlots());
        // the entangled-numbers slot stays out of other operations' JSON, so their content keys did not change
        assertTrue(!io.subliminal.workflows.recipe.CanonicalJson.of(ModifyDatasetRequest.teacherMixing("qwen", 0.5)).contains("entangledNumbers"));
        assertTrue(!io.subliminal.workflows.recipe.CanonicalJson.of(GenerateNumbersRequest.paper("qwen", "owl", "animal", Sampling.argmax())).contains("gsm8kPath"));
        error = assertThrows(IllegalArgumentException.class, () -> new GenerateNumbersRequest("qwen-32b-em", "owl", "animal", false, false,
                PromptSource.GSM8K_MAIN_TRAIN, 10, 42, 3, 9, 100, 1000, 10, 3, InstructionOrder.SCHRODI, List.of(), false,
                Sampling.argmax(), 2048, 2048, 32, false, "train.jsonl"));
        assertTrue(error.getMessage().contains("no system prompt"), error.getMessage());
        error = assertThrows(IllegalArgumentException.class,
                () -> MarkDivergenceRequest.systemPromptTeachers("qwen", "qwen", "unicorn", "animal"));
        assertTrue(error.getMessage().contains("unicorn"), error.getMessage());
        error = assertThrows(IllegalArgumentException.class,
                () -> FinetuneRequest.paper("qwen", 42, TokenMask.ALL_TOKENS).withInputs(Map.of("datset", DATA)));
        assertTrue(error.getMessage().contains("datset"), error.getMessage());
    }

    @Test
    void resultsExposeNamedOutputsWithoutNulls() {
        var result = new MarkDivergenceResult(DATA, null, DATA, 10, 4, 9, 200);
        assertEquals(List.of("marked", "teacher-predictions"), List.copyOf(result.outputArtifacts().keySet()));
        StageOutcome outcome = result.toOutcome("k", StageKind.MARK_DIVERGENCE);
        assertEquals(DATA, outcome.artifact("marked"));
        assertThrows(IllegalArgumentException.class, () -> outcome.artifact("correct-matrices"));
    }
}
