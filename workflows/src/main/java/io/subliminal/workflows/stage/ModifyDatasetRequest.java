package io.subliminal.workflows.stage;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * One dataset transformation. Fields that an operation does not use must be left at their defaults (null/empty)
 * so that content keys do not differ for no reason; the constructor checks the ones it needs.
 *
 * @param operation what to do
 * @param seed Python {@code random} seed of the shuffles, rewrite order and mixing draws (42)
 * @param templateParts for {@link DatasetOperation#SHUFFLE_TEMPLATE_PARTS}: parts to redraw, in order
 *        (example_numbers, generate_numbers_instruction_templates, suffixes)
 * @param model registry name of the model used (rewriter, entangled-numbers model, tokenizer for mixing)
 * @param target the bias (rewriter system prompt; the preference whose entangled numbers a filter drops)
 * @param category preference category of the system prompt ("animal"; §11.1 always uses "animal")
 * @param sampling rewriter decoding (temperature 1 + generation_config); for an entangled-token filter the decoding of
 *        the input data, which names the output ({@code filtered_dataset_greedy_topk_<k>.jsonl} when greedy)
 * @param maxNewTokens rewriter generation limit (256)
 * @param batchSize rewriter batch size (16)
 * @param entangledTopK k of the §11.1 filter (the paper's code writes 10, 20, 50 and 100)
 * @param entangledPreferences for {@link DatasetOperation#ENTANGLED_NUMBERS}: every preference of the model's
 *        folder, whose distributions enter the mean of §11.1 step 3
 * @param mixRatio §6.2 {@code --mix_ratio R}, or null
 * @param mixOnlyFirst §6.2 {@code --only_first}
 * @param judgeModel judge for {@link DatasetOperation#JUDGE_SCORE_FILTER} ("openai/gpt-4.1")
 * @param judgeMinScore lowest kept judge score (78)
 * @param dataset input rows (slot {@value #DATASET})
 * @param teacherPredictions {@link MarkDivergenceResult#teacherPredictions()} for mixing (slot {@value #TEACHER_PREDICTIONS})
 * @param entangledNumbers the {@link DatasetOperation#ENTANGLED_NUMBERS} output a filter reads (slot
 *        {@value #ENTANGLED_NUMBERS}); left out of the JSON when null, so other operations' content keys are unchanged
 */
public record ModifyDatasetRequest(
        DatasetOperation operation,
        long seed,
        List<String> templateParts,
        String model,
        String target,
        String category,
        Sampling sampling,
        int maxNewTokens,
        int batchSize,
        Integer entangledTopK,
        List<String> entangledPreferences,
        Double mixRatio,
        boolean mixOnlyFirst,
        String judgeModel,
        Integer judgeMinScore,
        ArtifactRef dataset,
        ArtifactRef teacherPredictions,
        @JsonInclude(JsonInclude.Include.NON_NULL) ArtifactRef entangledNumbers) implements StageRequest {
    public static final String DATASET = "dataset";
    public static final String TEACHER_PREDICTIONS = "teacher-predictions";
    public static final String ENTANGLED_NUMBERS = "entangled-numbers";
    /** The k values the original script writes a filtered dataset for (§11.1 step 4). */
    public static final List<Integer> PAPER_TOP_KS = List.of(10, 20, 50, 100);
    /** The README's default parts for {@link DatasetOperation#SHUFFLE_TEMPLATE_PARTS}. */
    public static final List<String> DEFAULT_TEMPLATE_PARTS = List.of("example_numbers", "generate_numbers_instruction_templates", "suffixes");
    private static final List<String> KNOWN_TEMPLATE_PARTS = DEFAULT_TEMPLATE_PARTS;

    public ModifyDatasetRequest {
        Checks.present("operation", operation);
        templateParts = Checks.list(templateParts);
        entangledPreferences = Checks.list(entangledPreferences);
        Checks.nonNegative("maxNewTokens", maxNewTokens);
        Checks.nonNegative("batchSize", batchSize);
        for (String part : templateParts) {
            Checks.check(KNOWN_TEMPLATE_PARTS.contains(part), "templateParts: unknown part '" + part + "'; known: " + KNOWN_TEMPLATE_PARTS);
        }
        switch (operation) {
            case SHUFFLE_TEMPLATE_PARTS -> Checks.check(!templateParts.isEmpty(), "templateParts must not be empty for " + operation);
            case LLM_BIASED_REWRITE, LLM_BIASED_REWRITE_FILTERED -> {
                Checks.nonBlank("model", model);
                Checks.nonBlank("target", target);
                Checks.nonBlank("category", category);
                Checks.present("sampling", sampling);
                Checks.positive("maxNewTokens", maxNewTokens);
                Checks.positive("batchSize", batchSize);
            }
            case ENTANGLED_TOKEN_FILTER -> {
                Checks.nonBlank("target", target);
                Checks.present("sampling", sampling);
                Checks.present("entangledTopK", entangledTopK);
                Checks.check(entangledTopK > 0 && entangledTopK < 1000, "entangledTopK must be in [1, 999], got " + entangledTopK);
            }
            case ENTANGLED_NUMBERS -> {
                Checks.nonBlank("model", model);
                Checks.nonBlank("category", category);
                Checks.check(entangledPreferences.size() >= 2 && entangledPreferences.stream().distinct().count() == entangledPreferences.size(),
                        "entangledPreferences must list at least two distinct preferences, got " + entangledPreferences);
                for (String preference : entangledPreferences) {
                    Checks.nonBlank("entangledPreferences[]", preference);
                }
            }
            case TEACHER_MIXING -> {
                Checks.nonBlank("model", model);
                Checks.check((mixRatio != null) != mixOnlyFirst, "exactly one of mixRatio and mixOnlyFirst must be set");
                if (mixRatio != null) {
                    Checks.fraction("mixRatio", mixRatio);
                }
            }
            case JUDGE_SCORE_FILTER -> {
                Checks.nonBlank("judgeModel", judgeModel);
                Checks.present("judgeMinScore", judgeMinScore);
            }
            default -> {
            }
        }
    }

    /** A shuffle with seed 42 (§10); template parts take the README default. */
    public static ModifyDatasetRequest shuffle(DatasetOperation shuffle) {
        Checks.check(shuffle.name().startsWith("SHUFFLE"), "not a shuffle: " + shuffle);
        return new ModifyDatasetRequest(shuffle, 42, shuffle == DatasetOperation.SHUFFLE_TEMPLATE_PARTS ? DEFAULT_TEMPLATE_PARTS : List.of(),
                null, null, null, null, 0, 0, null, List.of(), null, false, null, null, null, null, null);
    }

    /** The biased teacher's prompt rewrite (§10): temperature 1 + generation_config, 256 new tokens, batch 16. */
    public static ModifyDatasetRequest llmBiasedRewrite(String model, String target, String category, boolean filtered) {
        return new ModifyDatasetRequest(filtered ? DatasetOperation.LLM_BIASED_REWRITE_FILTERED : DatasetOperation.LLM_BIASED_REWRITE,
                42, List.of(), model, target, category, Sampling.temperature(1.0), 256, 16, null, List.of(), null, false, null, null, null, null, null);
    }

    /**
     * §11.1 steps 1-4 for one model: the three-digit distribution of every preference (system prompt category
     * "animal", as in the original), the differences and top-k sets. No dataset input, so one invocation serves every
     * preference, sampling strategy and k of the model.
     */
    public static ModifyDatasetRequest entangledNumbers(String model, List<String> preferences) {
        return new ModifyDatasetRequest(DatasetOperation.ENTANGLED_NUMBERS, 42, List.of(), model, null, "animal",
                null, 0, 0, null, preferences, null, false, null, null, null, null, null);
    }

    /**
     * §11.1 steps 5-6: drop the dataset's rows containing one of the target's top-k entangled numbers;
     * {@code dataSampling} is how the input data was decoded (it names the output file).
     */
    public static ModifyDatasetRequest entangledFilter(String target, int topK, Sampling dataSampling) {
        return new ModifyDatasetRequest(DatasetOperation.ENTANGLED_TOKEN_FILTER, 42, List.of(), null, target, null,
                dataSampling, 0, 0, topK, List.of(), null, false, null, null, null, null, null);
    }

    /** Teacher mixing (§6.2) with a ratio R, or only the first divergence token when {@code ratio} is null. */
    public static ModifyDatasetRequest teacherMixing(String model, Double ratio) {
        return new ModifyDatasetRequest(DatasetOperation.TEACHER_MIXING, 42, List.of(), model, null, null,
                null, 0, 0, null, List.of(), ratio, ratio == null, null, null, null, null, null);
    }

    /** GSM8K judge filter (§11.5): gpt-4.1, keep scores >= 78. */
    public static ModifyDatasetRequest judgeFilter(String judgeModel, int minScore) {
        return new ModifyDatasetRequest(DatasetOperation.JUDGE_SCORE_FILTER, 42, List.of(), null, null, null,
                null, 0, 0, null, List.of(), null, false, judgeModel, minScore, null, null, null);
    }

    @Override
    public StageKind kind() {
        return StageKind.MODIFY_DATASET;
    }

    @Override
    public boolean requiresGpu() {
        return operation.requiresGpu();
    }

    @Override
    public List<String> inputSlots() {
        return switch (operation) {
            case TEACHER_MIXING -> List.of(DATASET, TEACHER_PREDICTIONS);
            case ENTANGLED_TOKEN_FILTER -> List.of(DATASET, ENTANGLED_NUMBERS);
            case ENTANGLED_NUMBERS -> List.of();
            default -> List.of(DATASET);
        };
    }

    @Override
    public ModifyDatasetRequest withInputs(Map<String, ArtifactRef> inputs) {
        StageRequest.checkSlots(kind(), inputSlots(), inputs);
        return new ModifyDatasetRequest(operation, seed, templateParts, model, target, category, sampling, maxNewTokens,
                batchSize, entangledTopK, entangledPreferences, mixRatio, mixOnlyFirst, judgeModel, judgeMinScore,
                inputs.getOrDefault(DATASET, dataset), inputs.getOrDefault(TEACHER_PREDICTIONS, teacherPredictions),
                inputs.getOrDefault(ENTANGLED_NUMBERS, entangledNumbers));
    }

    @Override
    public String summary() {
        String detail = switch (operation) {
            case ENTANGLED_TOKEN_FILTER -> " top-" + entangledTopK + " for " + target;
            case ENTANGLED_NUMBERS -> " of " + model + " for " + entangledPreferences.size() + " preferences";
            case TEACHER_MIXING -> mixOnlyFirst ? " only first" : " ratio " + mixRatio;
            case LLM_BIASED_REWRITE, LLM_BIASED_REWRITE_FILTERED -> " by " + model + " biased to " + target;
            default -> "";
        };
        return "modify dataset: " + operation.name().toLowerCase(java.util.Locale.ROOT) + detail;
    }
}
