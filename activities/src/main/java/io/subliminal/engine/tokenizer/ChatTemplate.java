package io.subliminal.engine.tokenizer;

import java.util.List;

/**
 * The model's own chat template, rendered as Hugging Face's {@code apply_chat_template(messages, tokenize=False,
 * add_generation_prompt=...)} does.
 */
public interface ChatTemplate {

    String render(List<ChatMessage> messages, boolean addGenerationPrompt);
}
