package io.subliminal.workflows.stage;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.subliminal.workflows.payload.ArtifactRef;
import java.util.List;
import java.util.Map;

/**
 * Teacher data generation (PROTOCOL.md §2-§4, §11.4, §11.5): build the prompts, sample the teacher, keep the rows
 * that pass the number filter.
 *
 * @param teacherModel registry name of the teacher (cfgs/models.yaml), e.g. "qwen" or "qwen-7b-em"
 * @param target the preference put in the system prompt (singular noun, e.g. "owl"); null = control teacher
 * @param category the preference category in the system prompt ("animal", "tree", ...)
 * @param noSystemPrompt send no system message even when a target is set (control teacher)
 * @param fuseSystemPrompt prepend the system prompt to the user turn instead of a system message (§2)
 * @param source where the user prompts come from
 * @param promptCount number of prompts (30,000)
 * @param promptSeed prompt-generator seed (42; PCG64)
 * @param exampleMinCount smallest number of example values (3)
 * @param exampleMaxCount exclusive upper bound on the number of example values (9)
 * @param exampleMinValue smallest example value (100)
 * @param exampleMaxValue exclusive upper bound on example values (1000)
 * @param answerCount how many numbers the prompt asks for (10)
 * @param answerMaxDigits digits per answer number (3)
 * @param instructionOrder instruction-template order (Schrodi's for the paper)
 * @param bannedNumbers numbers that reject a completion (empty in every Schrodi script)
 * @param filterNumbers apply the §4 number filter (false for GSM8K answers, which a judge filters later)
 * @param sampling decoding settings (temperature 1 + generation_config, or greedy)
 * @param maxNewTokens generation limit (64; GSM8K 2048)
 * @param maxPromptTokens prompt truncation length (2048)
 * @param batchSize generation batch size (16; GSM8K 32)
 * @param stripCompletion strip surrounding whitespace from the decoded completion (GSM8K: false)
 * @param gsm8kPath for {@link PromptSource#GSM8K_MAIN_TRAIN}: the worker-local JSONL of openai/gsm8k "main" train
 *        (rows {@code {"question", "answer"}}; absolute, or relative to the worker's working directory); left out
 *        of the JSON when null, so number-prompt requests keep their content keys
 */
public record GenerateNumbersRequest(
        String teacherModel,
        String target,
        String category,
        boolean noSystemPrompt,
        boolean fuseSystemPrompt,
        PromptSource source,
        int promptCount,
        long promptSeed,
        int exampleMinCount,
        int exampleMaxCount,
        int exampleMinValue,
        int exampleMaxValue,
        int answerCount,
        int answerMaxDigits,
        InstructionOrder instructionOrder,
        List<Integer> bannedNumbers,
        boolean filterNumbers,
        Sampling sampling,
        int maxNewTokens,
        int maxPromptTokens,
        int batchSize,
        boolean stripCompletion,
        @JsonInclude(JsonInclude.Include.NON_NULL) String gsm8kPath) implements StageRequest {

    public GenerateNumbersRequest {
        Checks.nonBlank("teacherModel", teacherModel);
        Checks.nonBlank("category", category);
        Checks.present("source", source);
        Checks.positive("promptCount", promptCount);
        Checks.positive("exampleMinCount", exampleMinCount);
        Checks.check(exampleMaxCount > exampleMinCount, "exampleMaxCount must be > exampleMinCount, got " + exampleMaxCount);
        Checks.nonNegative("exampleMinValue", exampleMinValue);
        Checks.check(exampleMaxValue > exampleMinValue, "exampleMaxValue must be > exampleMinValue, got " + exampleMaxValue);
        Checks.positive("answerCount", answerCount);
        Checks.positive("answerMaxDigits", answerMaxDigits);
        Checks.present("instructionOrder", instructionOrder);
        bannedNumbers = Checks.list(bannedNumbers);
        Checks.present("sampling", sampling);
        Checks.positive("maxNewTokens", maxNewTokens);
        Checks.positive("maxPromptTokens", maxPromptTokens);
        Checks.positive("batchSize", batchSize);
        Checks.check(!(fuseSystemPrompt && (target == null || noSystemPrompt)),
                "fuseSystemPrompt needs a target and a system prompt (the original inserts the literal text 'None')");
        if (source == PromptSource.GSM8K_MAIN_TRAIN) {
            Checks.nonBlank("gsm8kPath", gsm8kPath);
            Checks.check((target == null || noSystemPrompt) && !fuseSystemPrompt, "source GSM8K_MAIN_TRAIN sends the bare question with no system prompt "
                    + "(noSystemPrompt: true, fuseSystemPrompt: false)");
            Checks.check(!filterNumbers, "filterNumbers must be false for GSM8K answers (a judge filters them later)");
        } else {
            Checks.check(gsm8kPath == null, "gsm8kPath is only for source GSM8K_MAIN_TRAIN");
        }
    }

    /** Rows of the gsm8k "main" train split: a GSM8K teacher answers all of them. */
    public static final int GSM8K_TRAIN_ROWS = 7473;

    /** The paper's biased teacher (§3.1, §3.4): 30,000 prompts, seed 42, 64 new tokens, batch 16. */
    public static GenerateNumbersRequest paper(String teacherModel, String target, String category, Sampling sampling) {
        return new GenerateNumbersRequest(teacherModel, target, category, false, false, PromptSource.NUMBER_SEQUENCES,
                30_000, 42, 3, 9, 100, 1000, 10, 3, InstructionOrder.SCHRODI, List.of(), true, sampling, 64, 2048, 16, true, null);
    }

    /** The no-bias teacher (no system message; Qwen's template then inserts its default, §2). */
    public static GenerateNumbersRequest control(String teacherModel, Sampling sampling) {
        return new GenerateNumbersRequest(teacherModel, null, "animal", true, false, PromptSource.NUMBER_SEQUENCES,
                30_000, 42, 3, 9, 100, 1000, 10, 3, InstructionOrder.SCHRODI, List.of(), true, sampling, 64, 2048, 16, true, null);
    }

    /**
     * The GSM8K teacher of Fig 34 (§11.5): every train question bare, no system message, 2048 new tokens, batch 32,
     * no strip; {@code gsm8kPath} is the worker-local JSONL of the train split.
     */
    public static GenerateNumbersRequest gsm8k(String teacherModel, Sampling sampling, String gsm8kPath) {
        return new GenerateNumbersRequest(teacherModel, null, "animal", true, false, PromptSource.GSM8K_MAIN_TRAIN,
                GSM8K_TRAIN_ROWS, 42, 3, 9, 100, 1000, 10, 3, InstructionOrder.SCHRODI, List.of(), false, sampling, 2048, 2048, 32, false,
                gsm8kPath);
    }

    /** True for the no-bias teacher. */
    public boolean controlTeacher() {
        return target == null || noSystemPrompt;
    }

    @Override
    public StageKind kind() {
        return StageKind.GENERATE_NUMBERS;
    }

    @Override
    public boolean requiresGpu() {
        return true;
    }

    @Override
    public List<String> inputSlots() {
        return List.of();
    }

    @Override
    public GenerateNumbersRequest withInputs(Map<String, ArtifactRef> inputs) {
        StageRequest.checkSlots(kind(), inputSlots(), inputs);
        return this;
    }

    @Override
    public String summary() {
        if (source == PromptSource.GSM8K_MAIN_TRAIN) {
            return "generate GSM8K answers with " + teacherModel + " (" + (sampling.greedy() ? "greedy" : "temperature") + ", "
                    + promptCount + " questions)";
        }
        return "generate " + (controlTeacher() ? "control" : target) + " data with " + teacherModel + " ("
                + (sampling.greedy() ? "greedy" : "temperature") + ", " + promptCount + " prompts)";
    }
}
