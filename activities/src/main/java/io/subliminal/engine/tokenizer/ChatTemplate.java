package io.subliminal.engine.tokenizer;

import java.util.List;

/**
 * The model's own chat template, rendered as Hugging Face's {@code apply_chat_template(messages, tokenize=False,
 * add_generation_prompt=...)} does.
 */
public interface ChatTemplate {

    String render(List<ChatMessage> messages, boolean addGenerationPrompt);

    /**
     * HF's {@code continue_final_message=True}: the conversation rendered without a generation prompt and cut right
     * after the final message's content, so no end-of-turn follows and the model continues that message
     * (transformers 4.54: cut at the last occurrence of the stripped content, keeping its leading-stripped length when
     * the template preserved the spacing, else the stripped length).
     */
    default String renderContinuing(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("continuing the final message needs at least one message");
        }
        String rendered = render(messages, false);
        String content = messages.get(messages.size() - 1).content();
        String stripped = content.strip();
        int at = rendered.lastIndexOf(stripped);
        if (at < 0) {
            throw new IllegalArgumentException("the final message's content is not in the rendered chat: " + stripped);
        }
        String leftStripped = content.stripLeading();
        // HF compares rendered[at : at + len(content.lstrip())] with the whole content
        boolean spacingKept = leftStripped.equals(content) && rendered.startsWith(content, at);
        return rendered.substring(0, at + (spacingKept ? leftStripped.length() : stripped.length()));
    }
}
