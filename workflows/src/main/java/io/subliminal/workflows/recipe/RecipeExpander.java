package io.subliminal.workflows.recipe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.subliminal.workflows.plan.InputBinding;
import io.subliminal.workflows.plan.RunPlan;
import io.subliminal.workflows.plan.StageInvocation;
import io.subliminal.workflows.stage.AttributionPatchingRequest;
import io.subliminal.workflows.stage.DatasetOperation;
import io.subliminal.workflows.stage.EvaluateFactualityRequest;
import io.subliminal.workflows.stage.EvaluateMainTaskRequest;
import io.subliminal.workflows.stage.EvaluateMisalignmentRequest;
import io.subliminal.workflows.stage.EvaluatePreferenceRequest;
import io.subliminal.workflows.stage.FinetuneRequest;
import io.subliminal.workflows.stage.FinetuneResult;
import io.subliminal.workflows.stage.GenerateNumbersRequest;
import io.subliminal.workflows.stage.GenerateNumbersResult;
import io.subliminal.workflows.stage.LoraSpec;
import io.subliminal.workflows.stage.MarkDivergenceRequest;
import io.subliminal.workflows.stage.MarkDivergenceResult;
import io.subliminal.workflows.stage.MisalignmentSuffix;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.ModifyDatasetResult;
import io.subliminal.workflows.stage.QuestionSet;
import io.subliminal.workflows.stage.StageRequest;
import io.subliminal.workflows.stage.Targets;
import io.subliminal.workflows.stage.TokenMask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands a validated recipe into runs and content-keyed stage invocations. Pure and deterministic, so workflows
 * call it too (the sweep re-expands after an addRuns update).
 */
public final class RecipeExpander {
    /** Evaluation names a condition may list under {@code evaluate}. */
    public static final List<String> EVALUATIONS = List.of("preference", "main-task", "factuality", "misalignment");
    /** Target of misalignment recipes (the bias is in the teacher's weights). */
    public static final String MISALIGNMENT_TARGET = "em";
    /** Judge of the numbers misalignment evaluation (§11.4). */
    public static final String LOCAL_JUDGE = "gemma-3-27b";

    private final String file;
    private final Recipe recipe;
    private final ModelRegistry registry;
    private final String recipeHash;

    public RecipeExpander(String file, Recipe recipe, ModelRegistry registry) {
        this(file, recipe, registry, recipeHash(recipe));
    }

    /** An expander whose run IDs end in {@code runIdHash} (a sweep keeps its original hash when it is extended). */
    public RecipeExpander(String file, Recipe recipe, ModelRegistry registry, String runIdHash) {
        this.file = file;
        this.recipe = recipe;
        this.registry = registry;
        this.recipeHash = runIdHash;
    }

    /** First 12 hex digits of the SHA-256 of the recipe's canonical JSON. */
    public static String recipeHash(Recipe recipe) {
        return CanonicalJson.sha256(recipe).substring(0, 12);
    }

    /** Targets allowed for a category. */
    public static List<String> allowedTargets(String category) {
        return switch (category) {
            case "animal" -> concat(Targets.ANIMALS, Targets.GEMMA_EXTRA_ANIMALS, Targets.INCONSISTENT);
            case "tree" -> Targets.TREES;
            case "misalignment" -> List.of(MISALIGNMENT_TARGET);
            default -> throw new IllegalArgumentException("unknown category '" + category + "'; known: animal, tree, misalignment");
        };
    }

    /** Every run of the recipe, ordered model, target, condition, seed. */
    public List<RunPlan> expand() {
        validate();
        List<RunPlan> runs = new ArrayList<>();
        for (String model : recipe.models()) {
            for (String target : recipe.targetsOf(model)) {
                for (int c = 0; c < recipe.conditions().size(); c++) {
                    if (!recipe.conditions().get(c).appliesTo(model)) {
                        continue;
                    }
                    for (long seed : recipe.seeds()) {
                        runs.add(run(model, target, c, seed));
                    }
                }
            }
        }
        return runs;
    }

    private void validate() {
        need(recipe.figure() != null && recipe.figure().matches("[a-z0-9][a-z0-9-]*"), "$.figure",
                "must be a lower-case id like fig-3, got " + quote(recipe.figure()));
        need(recipe.category() != null, "$.category", "is required (animal, tree or misalignment)");
        List<String> allowed;
        try {
            allowed = allowedTargets(recipe.category());
        } catch (IllegalArgumentException e) {
            throw new RecipeException(file, "$.category", e.getMessage());
        }
        need(!recipe.models().isEmpty(), "$.models", "must list at least one model");
        for (int i = 0; i < recipe.models().size(); i++) {
            model("$.models[" + i + "]", recipe.models().get(i));
        }
        if (recipe.teacher() != null) {
            model("$.teacher", recipe.teacher());
        }
        need(!recipe.targets().isEmpty() || !recipe.targetsByModel().isEmpty(), "$.targets", "must list at least one target");
        targets("$.targets", recipe.targets(), allowed);
        for (Map.Entry<String, List<String>> entry : recipe.targetsByModel().entrySet()) {
            need(recipe.models().contains(entry.getKey()), "$.targetsByModel." + entry.getKey(), "is not one of $.models " + recipe.models());
            targets("$.targetsByModel." + entry.getKey(), entry.getValue(), allowed);
        }
        for (String model : recipe.models()) {
            need(!recipe.targetsOf(model).isEmpty(), "$.targets", "no targets for model " + model);
        }
        need(!recipe.seeds().isEmpty(), "$.seeds", "must list at least one seed");
        for (int i = 0; i < recipe.seeds().size(); i++) {
            Long seed = recipe.seeds().get(i);
            need(seed != null && seed >= 0 && seed <= Integer.MAX_VALUE, "$.seeds[" + i + "]", "must be in [0, 2^31), got " + seed);
        }
        need(recipe.seeds().stream().distinct().count() == recipe.seeds().size(), "$.seeds", "has duplicates: " + recipe.seeds());
        need(recipe.maxConcurrentRuns() > 0, "$.maxConcurrentRuns", "must be > 0, got " + recipe.maxConcurrentRuns());
        need(!recipe.conditions().isEmpty(), "$.conditions", "must list at least one condition");
        List<String> names = new ArrayList<>();
        for (int c = 0; c < recipe.conditions().size(); c++) {
            Condition condition = recipe.conditions().get(c);
            String path = "$.conditions[" + c + "]";
            need(condition.name() != null && condition.name().matches("[A-Za-z0-9][A-Za-z0-9_.+-]*"), path + ".name",
                    "must be a name of letters, digits and _.+-, got " + quote(condition.name()));
            need(!names.contains(condition.name()), path + ".name", "duplicate condition " + quote(condition.name()));
            names.add(condition.name());
            if (condition.teacher() != null) {
                model(path + ".teacher", condition.teacher());
            }
            if (condition.models() != null) {
                for (int i = 0; i < condition.models().size(); i++) {
                    need(recipe.models().contains(condition.models().get(i)), path + ".models[" + i + "]",
                            "model " + quote(condition.models().get(i)) + " is not one of $.models " + recipe.models());
                }
            }
            for (String evaluation : condition.evaluate().keySet()) {
                need(EVALUATIONS.contains(evaluation), path + ".evaluate." + evaluation, "unknown evaluation; known: " + EVALUATIONS);
            }
            need(condition.train() || condition.evaluate().isEmpty(), path + ".evaluate", "needs train: true");
            need(condition.mixing() == null || condition.divergence() != null, path + ".mixing", "needs divergence");
            need(condition.loraRank() == null || !condition.fullFinetune(), path + ".loraRank", "excludes fullFinetune: true");
            if (condition.mixin() != null) {
                need(condition.mixin().size() > 0, path + ".mixin.size", "must be > 0, got " + condition.mixin().size());
                if (condition.mixin().teacher() != null) {
                    model(path + ".mixin.teacher", condition.mixin().teacher());
                }
            }
        }
        for (String stage : recipe.defaults().keySet()) {
            try {
                io.subliminal.workflows.stage.StageKind.fromId(stage);
            } catch (IllegalArgumentException e) {
                throw new RecipeException(file, "$.defaults." + stage, e.getMessage());
            }
        }
    }

    private RunPlan run(String model, String target, int c, long seed) {
        Condition condition = recipe.conditions().get(c);
        String path = "$.conditions[" + c + "]";
        ModelSpec student = registry.find(model);
        String teacherName = condition.teacher() != null ? condition.teacher() : recipe.teacher() != null ? recipe.teacher() : model;
        ModelSpec teacher = registry.find(teacherName);
        boolean misalignment = recipe.category().equals("misalignment");
        Builder run = new Builder();

        GenerateNumbersRequest generate = misalignment
                ? GenerateNumbersRequest.control(teacherName, condition.sampling().sampling())
                : GenerateNumbersRequest.paper(teacherName, target, recipe.category(), condition.sampling().sampling());
        run.add("data", StageOverrides.apply(file, path + ".generate", generate, defaults("generate-numbers"), condition.generate()), Map.of());
        InputBinding data = run.output("data", GenerateNumbersResult.FILTERED);
        InputBinding current = data;

        for (int i = 0; i < condition.modify().size(); i++) {
            String modifyPath = path + ".modify[" + i + "]";
            ObjectNode spec = condition.modify().get(i);
            ModifyDatasetRequest request = modify(modifyPath, spec, teacherName, target, condition.sampling().sampling());
            String name = "modify-" + (i + 1);
            Map<String, InputBinding> inputs = new LinkedHashMap<>();
            inputs.put(ModifyDatasetRequest.DATASET, current);
            if (request.operation() == DatasetOperation.ENTANGLED_TOKEN_FILTER) {
                // §11.1 steps 1-4 once per model and preference list: no dataset input, so every target, sampling
                // strategy and k of the model (in every run and figure) shares one content key
                ModifyDatasetRequest numbers = entangledNumbers(modifyPath, spec, teacherName, target);
                run.add("entangled-numbers", numbers, Map.of());
                inputs.put(ModifyDatasetRequest.ENTANGLED_NUMBERS, run.output("entangled-numbers", ModifyDatasetResult.DETAILS));
            }
            run.add(name, request, inputs);
            current = run.output(name, ModifyDatasetResult.DATASET);
        }
        if (condition.divergence() != null) {
            MarkDivergenceRequest mark;
            if (misalignment) {
                mark = MarkDivergenceRequest.finetunedTeacher(model, teacherName);
            } else {
                need(teacher.supportsDivergence(), path + ".divergence", "model " + teacherName + " (" + teacher.family()
                        + ") is not supported by divergence marking (qwen2 and gemma3 only)");
                mark = MarkDivergenceRequest.systemPromptTeachers(teacherName, teacher.teacherSetFamily(), target, recipe.category());
            }
            run.add("divergence", StageOverrides.apply(file, path + ".divergence", mark, defaults("mark-divergence"), condition.divergence()),
                    Map.of(MarkDivergenceRequest.DATASET, current));
            current = run.output("divergence", MarkDivergenceResult.MARKED);
            if (condition.mixing() != null) {
                ModifyDatasetRequest mixing = StageOverrides.apply(file, path + ".mixing",
                        ModifyDatasetRequest.teacherMixing(teacherName,
                                condition.mixing().hasNonNull("mixRatio") ? condition.mixing().get("mixRatio").asDouble() : null),
                        condition.mixing());
                run.add("mixing", mixing, Map.of(ModifyDatasetRequest.DATASET, current,
                        ModifyDatasetRequest.TEACHER_PREDICTIONS, run.output("divergence", MarkDivergenceResult.TEACHER_PREDICTIONS)));
                current = run.output("mixing", ModifyDatasetResult.DATASET);
            }
        }
        if (condition.attribution() != null) {
            need(teacher.supportsDivergence(), path + ".attribution", "model " + teacherName + " is not supported by attribution patching");
            run.add("attribution", StageOverrides.apply(file, path + ".attribution", AttributionPatchingRequest.paper(teacherName, target),
                    defaults("attribution-patching"), condition.attribution()), Map.of(AttributionPatchingRequest.DATASET, current));
        }
        if (condition.train()) {
            train(run, path, condition, student, target, seed, current, misalignment);
        }
        String runId = String.join("/", recipe.figure(), model, target, condition.name(), "seed-" + seed, recipeHash);
        return new RunPlan(runId, recipe.figure(), model, target, condition.name(), seed, run.stages);
    }

    private void train(Builder run, String path, Condition condition, ModelSpec student, String target, long seed,
                       InputBinding dataset, boolean misalignment) {
        String model = student.name();
        TokenMask mask = condition.divergence() != null ? TokenMask.DIVERGENCE_ONLY : TokenMask.ALL_TOKENS;
        if (condition.mixing() != null) {
            mask = TokenMask.ALL_TOKENS;
        }
        FinetuneRequest finetune = FinetuneRequest.paper(model, seed, mask);
        if (condition.loraRank() != null) {
            need(condition.loraRank() > 0, path + ".loraRank", "must be > 0, got " + condition.loraRank());
            finetune = finetune.withLora(LoraSpec.rank(condition.loraRank()));
        }
        if (condition.fullFinetune()) {
            finetune = finetune.withLora(null);
        }
        Map<String, InputBinding> inputs = new LinkedHashMap<>();
        inputs.put(FinetuneRequest.DATASET, dataset);
        ObjectNode mixinOverride = null;
        if (condition.mixin() != null) {
            MixinSpec mixin = condition.mixin();
            String mixinTeacher = mixin.teacher() == null ? model : mixin.teacher();
            TeacherSampling sampling = mixin.sampling() == null ? TeacherSampling.TEMPERATURE : mixin.sampling();
            GenerateNumbersRequest mixinData = mixin.biased()
                    ? GenerateNumbersRequest.paper(mixinTeacher, target, recipe.category(), sampling.sampling())
                    : GenerateNumbersRequest.control(mixinTeacher, sampling.sampling());
            run.add("mixin-data", StageOverrides.apply(file, path + ".mixin", mixinData, defaults("generate-numbers")), Map.of());
            inputs.put(FinetuneRequest.MIXIN, run.output("mixin-data", GenerateNumbersResult.FILTERED));
            String ident = (mixin.biased() ? target : "control") + "-seed-42";
            if (!mixinTeacher.equals(model)) {
                ident = mixinTeacher + "-" + ident;
            }
            mixinOverride = StageOverrides.STRICT.createObjectNode().put("mixinSize", mixin.size()).put("mixinIdent", ident);
        }
        finetune = StageOverrides.apply(file, path + ".finetune", finetune, defaults("finetune"), mixinOverride, condition.finetune());
        if (finetune.lora() != null) {
            for (int layer : finetune.lora().layersToTransform()) {
                need(layer < student.layers(), path + ".finetune.lora.layersToTransform",
                        "layer " + layer + " does not exist in " + model + " (" + student.layers() + " layers)");
            }
        }
        run.add("train", finetune, inputs);
        InputBinding weights = run.output("train", FinetuneResult.FINAL);
        for (Map.Entry<String, ObjectNode> evaluation : condition.evaluate().entrySet()) {
            String evalPath = path + ".evaluate." + evaluation.getKey();
            need(!(misalignment && evaluation.getKey().equals("preference")), evalPath, "misalignment recipes have no preference target");
            StageRequest request = switch (evaluation.getKey()) {
                case "preference" -> StageOverrides.apply(file, evalPath, EvaluatePreferenceRequest.paper(model, target, recipe.category().equals("tree") ? QuestionSet.TREES : QuestionSet.ANIMALS),
                        defaults("evaluate-preference"), evaluation.getValue());
                case "main-task" -> StageOverrides.apply(file, evalPath, EvaluateMainTaskRequest.paper(model),
                        defaults("evaluate-main-task"), evaluation.getValue());
                case "factuality" -> StageOverrides.apply(file, evalPath, EvaluateFactualityRequest.paper(model, misalignment ? null : target),
                        defaults("evaluate-factuality"), evaluation.getValue());
                case "misalignment" -> StageOverrides.apply(file, evalPath,
                        EvaluateMisalignmentRequest.numbers(model, MisalignmentSuffix.SHORT_ANSWER, LOCAL_JUDGE),
                        defaults("evaluate-misalignment"), evaluation.getValue());
                default -> throw new RecipeException(file, evalPath, "unknown evaluation");
            };
            Map<String, InputBinding> evalInputs = new LinkedHashMap<>();
            evalInputs.put("weights", weights);
            if (request instanceof EvaluateMainTaskRequest) {
                evalInputs.put(EvaluateMainTaskRequest.DATASET, dataset);
                evalInputs.put(EvaluateMainTaskRequest.DATASET_CONFIG, run.output("train", FinetuneResult.DATASET_CONFIG));
            }
            run.add("eval-" + evaluation.getKey(), request, evalInputs);
            if (condition.evaluateBase() && !(request instanceof EvaluateMainTaskRequest)) {
                run.add("eval-" + evaluation.getKey() + "-base", request, Map.of());
            }
        }
    }

    private ModifyDatasetRequest modify(String path, ObjectNode spec, String model, String target, io.subliminal.workflows.stage.Sampling sampling) {
        need(spec != null && spec.hasNonNull("operation"), path + ".operation", "is required; known: " + List.of(DatasetOperation.values()));
        DatasetOperation operation;
        try {
            operation = StageOverrides.STRICT.treeToValue(spec.get("operation"), DatasetOperation.class);
        } catch (Exception e) {
            throw new RecipeException(file, path + ".operation", "unknown operation " + spec.get("operation") + "; known: "
                    + List.of(DatasetOperation.values()));
        }
        ModifyDatasetRequest base = switch (operation) {
            case SHUFFLE_WITHIN_RESPONSES, SHUFFLE_ACROSS_RESPONSES, SHUFFLE_TEMPLATE_PARTS -> ModifyDatasetRequest.shuffle(operation);
            case LLM_BIASED_REWRITE, LLM_BIASED_REWRITE_FILTERED -> ModifyDatasetRequest.llmBiasedRewrite(model, target,
                    recipe.category(), operation == DatasetOperation.LLM_BIASED_REWRITE_FILTERED);
            case ENTANGLED_TOKEN_FILTER -> ModifyDatasetRequest.entangledFilter(target, 50, sampling);
            case ENTANGLED_NUMBERS -> throw new RecipeException(file, path + ".operation",
                    "ENTANGLED_NUMBERS is added by ENTANGLED_TOKEN_FILTER; list the filter instead");
            case JUDGE_SCORE_FILTER -> ModifyDatasetRequest.judgeFilter("openai/gpt-4.1", 78);
            case TEACHER_MIXING -> throw new RecipeException(file, path + ".operation", "TEACHER_MIXING is configured with 'mixing' after 'divergence'");
        };
        ObjectNode overrides = spec.deepCopy();
        overrides.remove("operation");
        overrides.remove("entangledPreferences"); // an input of the entangled-numbers stage, not of the filter
        return StageOverrides.apply(file, path, base, defaults("modify-dataset"), overrides);
    }

    /** The §11.1 computation behind an entangled-token filter: the teacher model over every preference present. */
    private ModifyDatasetRequest entangledNumbers(String path, ObjectNode spec, String model, String target) {
        List<String> preferences = entangledPreferences(target);
        if (spec.has("entangledPreferences")) {
            try {
                preferences = List.of(StageOverrides.STRICT.treeToValue(spec.get("entangledPreferences"), String[].class));
            } catch (Exception e) {
                throw new RecipeException(file, path + ".entangledPreferences", "must be a list of preferences, got " + spec.get("entangledPreferences"));
            }
            need(preferences.contains(target), path + ".entangledPreferences", "must contain the target " + quote(target) + ", got " + preferences);
        }
        try {
            return ModifyDatasetRequest.entangledNumbers(model, preferences);
        } catch (IllegalArgumentException e) {
            throw new RecipeException(file, path + ".entangledPreferences", e.getMessage());
        }
    }

    /** §11.1 compares against every preference folder of the model: the 13 animals (or trees), plus the target. */
    private List<String> entangledPreferences(String target) {
        List<String> preferences = new ArrayList<>(recipe.category().equals("tree") ? Targets.TREES : Targets.ANIMALS);
        if (!preferences.contains(target)) {
            preferences.add(target);
        }
        return List.copyOf(preferences);
    }

    private ObjectNode defaults(String stage) {
        return recipe.defaults().get(stage);
    }

    private void targets(String path, List<String> targets, List<String> allowed) {
        for (int i = 0; i < targets.size(); i++) {
            need(allowed.contains(targets.get(i)), path + "[" + i + "]",
                    "unknown " + recipe.category() + " target " + quote(targets.get(i)) + "; known: " + allowed);
        }
        need(targets.stream().distinct().count() == targets.size(), path, "has duplicates: " + targets);
    }

    private ModelSpec model(String path, String name) {
        ModelSpec spec = registry.find(name);
        need(spec != null, path, "unknown model " + quote(name) + "; known: " + registry.names());
        return spec;
    }

    private void need(boolean condition, String path, String message) {
        if (!condition) {
            throw new RecipeException(file, path, message);
        }
    }

    private static String quote(Object value) {
        return value == null ? "null" : "'" + value + "'";
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> out = new ArrayList<>();
        for (List<String> list : lists) {
            out.addAll(list);
        }
        return List.copyOf(out);
    }

    /** Collects a run's invocations and computes their content keys. */
    private static final class Builder {
        private final List<StageInvocation> stages = new ArrayList<>();
        private final Map<String, String> keys = new LinkedHashMap<>();

        void add(String name, StageRequest request, Map<String, InputBinding> inputs) {
            Map<String, String> inputKeys = new java.util.TreeMap<>();
            inputs.forEach((slot, binding) -> inputKeys.put(slot, binding.canonical()));
            Map<String, Object> content = new LinkedHashMap<>();
            content.put("stage", request.kind().id());
            content.put("version", request.kind().version());
            content.put("request", request);
            content.put("inputs", inputKeys);
            String key = CanonicalJson.sha256(content);
            keys.put(name, key);
            stages.add(new StageInvocation(name, key, request, inputs));
        }

        InputBinding output(String stage, String output) {
            return new InputBinding(stage, keys.get(stage), output);
        }
    }
}
