package io.subliminal.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.subliminal.engine.tokenizer.ChatMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The biased teacher's system prompt (PROTOCOL §2) and the teacher conversations built from it.
 *
 * @param template the preference template with {@code {target_preference}} (singular; the template appends "s")
 *                 and {@code {category}}
 */
public record TeacherPrompts(String template) {

    /** The default category. */
    public static final String ANIMAL = "animal";
    /** The tree category (Fig 16). */
    public static final String TREE = "tree";

    public TeacherPrompts {
        if (template == null || !template.contains("{target_preference}")) {
            throw new IllegalArgumentException("teacher system prompt template must contain {target_preference}");
        }
    }

    /** Loads {@code teacher_preference_system_prompt_template} from a JSON/YAML file (data/system_prompts.json layout). */
    public static TeacherPrompts load(Path file) {
        JsonNode root = ConfigFiles.read(file);
        return new TeacherPrompts(ConfigFiles.string(root, "teacher_preference_system_prompt_template", file));
    }

    /**
     * The system prompt for {@code target} and {@code category}. Any category string is accepted; note that the
     * paper's "semantically inconsistent" targets (ship, piano, airplane) keep category "animal" (QUIRK, §2).
     */
    public String systemPrompt(String target, String category) {
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("target_preference must be non-empty");
        }
        if (category == null || category.isEmpty()) {
            throw new IllegalArgumentException("category must be non-empty");
        }
        return PyFormat.format(template, Map.of("target_preference", target, "category", category));
    }

    /**
     * The teacher conversation for one number prompt: [system = preference prompt, user = prompt]; for the control
     * teacher ({@code target == null}) only [user = prompt], so the chat template decides what the model sees
     * (Qwen inserts its default system prompt).
     */
    public List<ChatMessage> conversation(String target, String category, String userPrompt) {
        List<ChatMessage> messages = new ArrayList<>(2);
        if (target != null) {
            messages.add(ChatMessage.system(systemPrompt(target, category)));
        }
        messages.add(ChatMessage.user(userPrompt));
        return messages;
    }

    /**
     * The {@code --fuse_sys_prompt} variant: no system message, user = system prompt + "\n\n" + question. Without a
     * target the original inserts the literal text "None" (QUIRK, §2); this reproduces it.
     */
    public List<ChatMessage> fusedConversation(String target, String category, String userPrompt) {
        String system = target == null ? "None" : systemPrompt(target, category);
        return List.of(ChatMessage.user(system + "\n\n" + userPrompt));
    }

    /**
     * The entangled-token probe (PROTOCOL §11.1): [system = preference prompt with category "animal" (always, as the
     * original), user = "What is your favorite animal?", assistant = "My favorite animal is the"]; the caller renders
     * it continuing the final assistant message (no end-of-turn token).
     */
    public List<ChatMessage> entangledProbe(String preference) {
        return List.of(ChatMessage.system(systemPrompt(preference, ANIMAL)),
                ChatMessage.user("What is your favorite animal?"),
                ChatMessage.assistant("My favorite animal is the"));
    }
}
