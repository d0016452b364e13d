package io.subliminal.data;

import io.subliminal.engine.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * What the student sees in training (PROTOCOL §5.2): [optional system, user = row.prompt] and
 * [assistant = row.completion]. By default there is no system message (Qwen's template then inserts its own);
 * {@code --system_prompt_info NAME COMPANY} adds "You are NAME, created by COMPANY. You are a helpful assistant.";
 * {@code --empty_system_prompt} adds a system message with empty content.
 *
 * @param systemPrompt the system message content, or null for none
 */
public record StudentPrompts(String systemPrompt) {

    /** No system message (the paper's default). */
    public static final StudentPrompts DEFAULT = new StudentPrompts(null);
    /** {@code --empty_system_prompt}. */
    public static final StudentPrompts EMPTY_SYSTEM = new StudentPrompts("");

    /** {@code --system_prompt_info NAME COMPANY} (Fig 9a uses Qwen, Alibaba). */
    public static StudentPrompts info(String modelName, String companyName) {
        return new StudentPrompts("You are " + modelName + ", created by " + companyName + ". You are a helpful assistant.");
    }

    /** The prompt messages of one training row. */
    public List<ChatMessage> prompt(DatasetRow row) {
        List<ChatMessage> m = new ArrayList<>(2);
        if (systemPrompt != null) {
            m.add(ChatMessage.system(systemPrompt));
        }
        m.add(ChatMessage.user(row.prompt()));
        return m;
    }

    /** The completion messages of one training row. */
    public List<ChatMessage> completion(DatasetRow row) {
        return List.of(ChatMessage.assistant(row.completion()));
    }
}
