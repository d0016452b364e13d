package io.subliminal.activities.judge;

import io.subliminal.activities.engine.Decoding;
import io.subliminal.activities.engine.TokenSampler;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.engine.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * A judge model of the registry run by the engine (the original's gemma-3-27b judge, HF {@code generate}): each
 * prompt is rendered with the judge's chat template ([system?, user] + generation prompt), sampled in batches of
 * {@code batchSize} with the request's decoding merged into the judge's generation_config, stopped at its eos token,
 * and decoded with special tokens skipped (the raw text; parsing strips it).
 */
public final class LocalModelJudge implements Judge {
    private final LoadedModel model;
    private final TokenSampler sampler;
    private final Decoding decoding;
    private final int maxNewTokens;
    private final int batchSize;
    private final int stopId;
    private final String name;

    public LocalModelJudge(String name, String field, LoadedModel model, TokenSampler sampler, Decoding decoding,
                           int maxNewTokens, int batchSize) {
        this.name = name;
        this.model = model;
        this.sampler = sampler;
        this.decoding = decoding;
        this.maxNewTokens = maxNewTokens;
        this.batchSize = batchSize;
        int eos = model.bundle().tokenizer().eosTokenId();
        if (eos < 0) {
            throw InvalidInputException.field(field, "judge " + name + " defines no eos token");
        }
        this.stopId = eos;
    }

    @Override
    public List<String> replies(List<JudgePrompt> prompts, long seed) {
        return model.exclusive(() -> {
            List<String> out = new ArrayList<>(prompts.size());
            for (int start = 0; start < prompts.size(); start += batchSize) {
                int end = Math.min(prompts.size(), start + batchSize);
                List<int[]> encoded = new ArrayList<>(end - start);
                for (JudgePrompt prompt : prompts.subList(start, end)) {
                    List<ChatMessage> chat = new ArrayList<>(2);
                    if (prompt.system() != null) {
                        chat.add(ChatMessage.system(prompt.system()));
                    }
                    chat.add(ChatMessage.user(prompt.user()));
                    encoded.add(model.bundle().tokenizer().encode(model.bundle().chatTemplate().render(chat, true), true));
                }
                for (int[] tokens : sampler.sample(model, encoded, decoding, maxNewTokens, stopId, seed + start)) {
                    out.add(model.bundle().tokenizer().decode(tokens, true));
                }
            }
            return out;
        });
    }

    @Override
    public String describe() {
        return name + " (local)";
    }
}
