package io.subliminal.workflows.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.workflows.plan.RunPlan;
import io.subliminal.workflows.plan.StageInvocation;
import io.subliminal.workflows.stage.DatasetOperation;
import io.subliminal.workflows.stage.FinetuneRequest;
import io.subliminal.workflows.stage.GenerateNumbersRequest;
import io.subliminal.workflows.stage.GenerateNumbersResult;
import io.subliminal.workflows.stage.PromptSource;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.ModifyDatasetResult;
import io.subliminal.workflows.stage.Targets;
import io.subliminal.workflows.stage.StageKind;
import io.subliminal.workflows.stage.TokenMask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeLoaderTest {
    static final Path ROOT = Path.of(System.getProperty("subliminal.root", ".."));
    static final Path FIGURES = ROOT.resolve("cfgs/figures");
    static final ModelRegistry REGISTRY = RecipeLoader.loadRegistry(ROOT.resolve("cfgs/models.yaml"));

    static List<Path> shippedRecipes() throws IOException {
        try (Stream<Path> files = Files.list(FIGURES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void registryHasThePapersModelsAndTheEmbeddedOne() {
        assertEquals("Qwen/Qwen2.5-7B-Instruct", REGISTRY.find("qwen").hfId());
        assertEquals(34, REGISTRY.find("gemma").layers());
        assertEquals("gguf", REGISTRY.find("smollm2-135m").source());
        assertTrue(REGISTRY.find("smollm2-135m").supportsDivergence());
        assertFalse(REGISTRY.find("phi").supportsDivergence());
    }

    @Test
    void registryEntriesMayPointAtAnS3CheckpointDirectory(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("models.yaml");
        Files.writeString(file, """
                models:
                  - {name: qwen, hfId: Qwen/Qwen2.5-7B-Instruct, family: qwen2, layers: 28, role: r, source: s3, uri: "s3://models-bucket/qwen2.5-7b", markable: true}
                  - {name: local, hfId: a/b, family: llama, layers: 2, role: r, source: hf, markable: false}
                """);
        ModelRegistry registry = RecipeLoader.loadRegistry(file);
        assertEquals("s3", registry.find("qwen").source());
        assertEquals("s3://models-bucket/qwen2.5-7b/", registry.find("qwen").uri(), "a prefix ends with '/'");
        assertEquals(null, registry.find("local").uri());

        Map<String, String> bad = Map.of(
                "source: s3, markable: true", "source s3 needs uri",
                "source: s3, uri: \"s3://models-bucket\", markable: true", "source s3 needs uri",
                "source: s3, uri: \"https://example.org/x/\", markable: true", "source s3 needs uri",
                "source: hf, uri: \"s3://models-bucket/x/\", markable: true", "uri is only read for source: s3",
                "source: ftp, markable: true", "source must be one of [hf, gguf, s3]");
        for (var entry : bad.entrySet()) {
            Files.writeString(file, "models:\n  - {name: m, hfId: a/b, family: llama, layers: 2, role: r, " + entry.getKey() + "}\n");
            RecipeException e = assertThrows(RecipeException.class, () -> RecipeLoader.loadRegistry(file), entry.getKey());
            assertTrue(e.getMessage().contains(entry.getValue()) && e.getMessage().contains("$.models[0]"), e.getMessage());
        }
    }

    @Test
    void everyFigureOfProtocolSection12HasARecipeAndEveryRecipeLoads() throws IOException {
        Set<String> figures = new HashSet<>();
        for (Path file : shippedRecipes()) {
            RecipeLoader.Loaded loaded = RecipeLoader.load(file, REGISTRY);
            assertFalse(loaded.runs().isEmpty(), file + " expands to no runs");
            assertEquals(file.getFileName().toString().replace(".yaml", ""), loaded.recipe().figure(), "figure id = file name");
            figures.add(loaded.recipe().figure());
        }
        for (int fig : new int[] {2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
                27, 28, 29, 30, 31, 32, 33, 34, 35}) {
            assertTrue(figures.contains("fig-" + fig), "missing recipe for fig-" + fig);
        }
        assertTrue(figures.contains("demo-fig3-smollm2"));
    }

    @Test
    void fig3ExpandsToTheProtocolsRunCountAndSharesOneDatasetAcrossSeedsAndConditions() {
        List<RunPlan> runs = RecipeLoader.load(FIGURES.resolve("fig-12.yaml"), REGISTRY).runs();
        assertEquals(13 * 6 * 5, runs.size());
        Map<String, Set<String>> dataKeys = runs.stream().collect(Collectors.groupingBy(r -> r.target() + "/" + r.condition().charAt(0),
                Collectors.mapping(r -> stage(r, "data").key(), Collectors.toSet())));
        dataKeys.values().forEach(keys -> assertEquals(1, keys.size(), "one teacher dataset per target and sampling"));
        Set<String> trainKeys = runs.stream().map(r -> stage(r, "train").key()).collect(Collectors.toSet());
        assertEquals(runs.size(), trainKeys.size(), "every run trains its own student");
        RunPlan wo = runs.stream().filter(r -> r.condition().equals("T-wo-div")).findFirst().orElseThrow();
        assertEquals(TokenMask.WITHOUT_DIVERGENCE, ((FinetuneRequest) stage(wo, "train").request()).tokenMask());
        assertEquals("fig-12/qwen/owl/T-wo-div/seed-42/" + RecipeExpander.recipeHash(RecipeLoader.load(FIGURES.resolve("fig-12.yaml"), REGISTRY).recipe()), wo.runId());
    }

    @Test
    void figuresShareStagesByContentKey() {
        Set<String> fig2 = keys("fig-2.yaml");
        Set<String> fig3 = keys("fig-3.yaml");
        Set<String> fig13 = keys("fig-13.yaml");
        RunPlan fig3Gemma = RecipeLoader.load(FIGURES.resolve("fig-3.yaml"), REGISTRY).runs().stream()
                .filter(r -> r.model().equals("gemma") && r.target().equals("owl") && r.condition().equals("Gr-div")).findFirst().orElseThrow();
        assertTrue(fig13.contains(stage(fig3Gemma, "train").key()), "Fig 3's gemma runs are Fig 13's runs");
        RunPlan fig2All = RecipeLoader.load(FIGURES.resolve("fig-2.yaml"), REGISTRY).runs().get(0);
        assertTrue(fig3.contains(stage(fig2All, "data").key()), "Figs 2 and 3 share datasets");
        assertTrue(fig3.contains(stage(fig2All, "train").key()), "the all-token runs of Figs 2 and 3 are the same");
        assertTrue(fig2.size() > 0);
    }

    @Test
    void entangledFilterRunsShareOneEntangledNumbersComputationPerModel() {
        List<RunPlan> fig2 = RecipeLoader.load(FIGURES.resolve("fig-2.yaml"), REGISTRY).runs();
        List<RunPlan> fig11 = RecipeLoader.load(FIGURES.resolve("fig-11.yaml"), REGISTRY).runs();
        Map<String, Set<String>> numbersKeys = Stream.concat(fig2.stream(), fig11.stream())
                .filter(r -> r.condition().contains("topk"))
                .collect(Collectors.groupingBy(RunPlan::model, Collectors.mapping(r -> stage(r, "entangled-numbers").key(), Collectors.toSet())));
        assertEquals(Set.of("qwen", "gemma"), numbersKeys.keySet());
        numbersKeys.values().forEach(keys -> assertEquals(1, keys.size(), "one §11.1 computation per model for every target, sampling and figure"));
        RunPlan run = fig2.stream().filter(r -> r.model().equals("qwen") && r.target().equals("cat") && r.condition().equals("Gr-topk-50"))
                .findFirst().orElseThrow();
        StageInvocation numbers = stage(run, "entangled-numbers");
        ModifyDatasetRequest numbersRequest = (ModifyDatasetRequest) numbers.request();
        assertEquals(DatasetOperation.ENTANGLED_NUMBERS, numbersRequest.operation());
        assertEquals("qwen", numbersRequest.model());
        assertEquals(Targets.ANIMALS, numbersRequest.entangledPreferences());
        assertTrue(numbers.inputs().isEmpty());
        StageInvocation filter = stage(run, "modify-1");
        ModifyDatasetRequest filterRequest = (ModifyDatasetRequest) filter.request();
        assertEquals(DatasetOperation.ENTANGLED_TOKEN_FILTER, filterRequest.operation());
        assertEquals("cat", filterRequest.target());
        assertEquals(50, filterRequest.entangledTopK());
        assertTrue(filterRequest.sampling().greedy(), "the Gr data names its output filtered_dataset_greedy_topk_50.jsonl");
        assertFalse(filterRequest.requiresGpu(), "the filter itself needs no model");
        assertEquals(stage(run, "data").key(), filter.inputs().get(ModifyDatasetRequest.DATASET).stageKey());
        assertEquals(numbers.key(), filter.inputs().get(ModifyDatasetRequest.ENTANGLED_NUMBERS).stageKey());
        assertEquals(ModifyDatasetResult.DETAILS, filter.inputs().get(ModifyDatasetRequest.ENTANGLED_NUMBERS).output());
        assertEquals(filter.key(), stage(run, "train").inputs().get(FinetuneRequest.DATASET).stageKey());
        Set<String> filterKeys = fig11.stream().filter(r -> r.condition().contains("topk"))
                .map(r -> stage(r, "modify-1").key()).collect(Collectors.toSet());
        assertEquals(2 * 13 * 2, filterKeys.size(), "one filter per model, target and sampling strategy (shared by seeds)");
    }

    @Test
    void fig34GeneratesGsm8kAnswersFromTheConfiguredFileWithoutSystemPrompt() {
        List<RunPlan> runs = RecipeLoader.load(FIGURES.resolve("fig-34.yaml"), REGISTRY).runs();
        RunPlan greedy = runs.stream().filter(r -> r.condition().equals("Gr-all")).findFirst().orElseThrow();
        GenerateNumbersRequest data = (GenerateNumbersRequest) stage(greedy, "data").request();
        assertEquals(PromptSource.GSM8K_MAIN_TRAIN, data.source());
        assertEquals("qwen-32b-em", data.teacherModel());
        assertTrue(data.controlTeacher() && !data.fuseSystemPrompt() && !data.filterNumbers() && !data.stripCompletion());
        assertEquals(GenerateNumbersRequest.GSM8K_TRAIN_ROWS, data.promptCount());
        assertTrue(data.sampling().greedy());
        assertTrue(data.gsm8kPath() != null && data.gsm8kPath().endsWith(".jsonl"));
        assertEquals(GenerateNumbersResult.FILTERED, stage(greedy, "modify-1").inputs().get(ModifyDatasetRequest.DATASET).output());
        Set<String> dataKeys = runs.stream().map(r -> stage(r, "data").key()).collect(Collectors.toSet());
        assertEquals(2, dataKeys.size(), "one GSM8K generation per sampling strategy");
    }

    @Test
    void loraRankAndFullFinetuneAreOrdinaryFields(@TempDir Path dir) throws IOException {
        Path file = write(dir, "axes.yaml", """
                figure: axes
                category: animal
                models: [qwen]
                targets: [owl]
                seeds: [42]
                conditions:
                  - {name: r16, loraRank: 16, evaluate: {preference: {}}}
                  - {name: full, fullFinetune: true}
                """);
        List<RunPlan> runs = RecipeLoader.load(file, REGISTRY).runs();
        FinetuneRequest r16 = (FinetuneRequest) stage(runs.get(0), "train").request();
        assertEquals(16, r16.lora().rank());
        assertEquals(16.0, r16.lora().alpha());
        FinetuneRequest full = (FinetuneRequest) stage(runs.get(1), "train").request();
        assertEquals(null, full.lora());
        assertEquals(5, full.checkpointsPerRun());
        assertEquals(StageKind.EVALUATE_PREFERENCE, stage(runs.get(0), "eval-preference-base").request().kind());
    }

    @Test
    void errorsNameFilePathAndValue(@TempDir Path dir) throws IOException {
        String base = """
                figure: bad
                category: animal
                models: [qwen]
                targets: [owl]
                seeds: [42]
                conditions:
                  - name: T-all
                """;
        assertError(dir, base.replace("seeds: [42]", "seeds: [42]\ncolour: blue"), "$.colour", "unknown key 'colour'");
        assertError(dir, base.replace("targets: [owl]", "targets: [owl, unicorn]"), "$.targets[1]", "'unicorn'");
        assertError(dir, base.replace("models: [qwen]", "models: [gpt-5]"), "$.models[0]", "'gpt-5'");
        assertError(dir, base + "    finetune: {epochs: 0}\n", "$.conditions[0].finetune", "epochs must be > 0, got 0");
        assertError(dir, base + "    finetune: {lora: {rnk: 4}}\n", "$.conditions[0].finetune.lora.rnk", "rnk");
        assertError(dir, base + "    finetune: {tokenMask: SOME_TOKENS}\n", "$.conditions[0].finetune.tokenMask", "SOME_TOKENS");
        assertError(dir, base + "    sampling: nucleus\n", "$.conditions[0].sampling", "nucleus");
        assertError(dir, base + "    evaluate: {vibes: {}}\n", "$.conditions[0].evaluate.vibes", "unknown evaluation");
        assertError(dir, base.replace("seeds: [42]", "seeds: [42]\ndefaults: {train: {}}"), "$.defaults.train", "unknown stage 'train'");
        assertError(dir, base + "    finetune: {lora: {layersToTransform: [28]}}\n", "$.conditions[0].finetune.lora.layersToTransform", "layer 28");
        assertError(dir, base + "    modify: [{operation: SHUFFLE_SIDEWAYS}]\n", "$.conditions[0].modify[0].operation", "SHUFFLE_SIDEWAYS");
        assertError(dir, base.replace("models: [qwen]", "models: [phi]") + "    divergence: {}\n", "$.conditions[0].divergence", "phi");
    }

    private static void assertError(Path dir, String yaml, String path, String fragment) throws IOException {
        Path file = write(dir, "bad.yaml", yaml);
        RecipeException error = assertThrows(RecipeException.class, () -> RecipeLoader.load(file, REGISTRY), yaml);
        assertEquals(file.toString(), error.file());
        assertEquals(path, error.path(), error.getMessage());
        assertTrue(error.getMessage().contains(fragment), error.getMessage());
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static Set<String> keys(String recipe) {
        return RecipeLoader.load(FIGURES.resolve(recipe), REGISTRY).runs().stream()
                .flatMap(r -> r.stages().stream()).map(StageInvocation::key).collect(Collectors.toSet());
    }

    static StageInvocation stage(RunPlan run, String name) {
        return run.stages().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(run.runId() + " has no stage " + name));
    }
}
