package io.subliminal.activities.engine;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.engine.tokenizer.ChatTemplate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's own Jinja chat template (from {@code tokenizer_config.json} or GGUF {@code tokenizer.chat_template}),
 * rendered like HF {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)}: the variables
 * {@code messages}, {@code add_generation_prompt}, {@code bos_token} and {@code eos_token}.
 */
public final class JinjaChatTemplate implements ChatTemplate {
    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinja;

    public JinjaChatTemplate(String template, String bosToken, String eosToken) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("chat template is empty");
        }
        this.template = template;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.jinja = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(false).withLstripBlocks(false).build());
    }

    @Override
    public synchronized String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("role", m.role());
            entry.put("content", m.content());
            list.add(entry);
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", list);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        return jinja.render(template, context);
    }
}
