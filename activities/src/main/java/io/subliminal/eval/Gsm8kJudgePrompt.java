package io.subliminal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.subliminal.data.ConfigFiles;
import io.subliminal.data.PyFormat;
import java.nio.file.Path;
import java.util.Map;

/**
 * The GSM8K training-data judge of PROTOCOL §11.5 step 4: a system prompt and a user template filled with
 * {prompt} = the GSM8K question and {completion} = the teacher's answer. The reply is scored by
 * {@link Gsm8kJudgeScore}.
 *
 * @param systemPrompt the judge's system message
 * @param userTemplate the judge's user message with {@code {prompt}} and {@code {completion}}
 */
public record Gsm8kJudgePrompt(String systemPrompt, String userTemplate) {

    /** The section of the misalignment evaluation file that holds the judge (data/misalignment_eval.json layout). */
    public static final String SECTION = "gsm8k_training_data_judge";

    public Gsm8kJudgePrompt {
        if (systemPrompt == null || systemPrompt.isBlank()) {
            throw new IllegalArgumentException("GSM8K judge system prompt must be non-empty");
        }
        if (userTemplate == null || !userTemplate.contains("{prompt}") || !userTemplate.contains("{completion}")) {
            throw new IllegalArgumentException("GSM8K judge user template needs {prompt} and {completion}");
        }
    }

    /** Loads {@code gsm8k_training_data_judge.{system_prompt,user_template}} from a JSON or YAML file. */
    public static Gsm8kJudgePrompt load(Path file) {
        JsonNode section = ConfigFiles.field(ConfigFiles.read(file), SECTION, file);
        return new Gsm8kJudgePrompt(ConfigFiles.string(section, "system_prompt", file),
                ConfigFiles.string(section, "user_template", file));
    }

    /** The user message judging {@code completion} as the answer to {@code question}. */
    public String userMessage(String question, String completion) {
        return PyFormat.format(userTemplate, Map.of("prompt", question, "completion", completion));
    }
}
