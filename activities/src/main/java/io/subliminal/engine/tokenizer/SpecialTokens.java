package io.subliminal.engine.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tokenizer's special tokens as transformers names them ({@code tokenizer.bos_token}, {@code eos_token},
 * {@code unk_token}, {@code pad_token}); null where the tokenizer has none. The original pipeline stops generation at
 * {@code tokenizer.eos_token_id} and pads with it (Qwen2.5: {@code <|im_end|>}; Gemma 3: {@code <eos>}), which may
 * differ from generation_config's eos list.
 */
public record SpecialTokens(String bos, String eos, String unk, String pad) {

    public static SpecialTokens none() {
        return new SpecialTokens(null, null, null, null);
    }

    /** From a map keyed {@code bos_token}, {@code eos_token}, {@code unk_token}, {@code pad_token}. */
    public static SpecialTokens of(Map<String, String> byName) {
        return new SpecialTokens(byName.get("bos_token"), byName.get("eos_token"), byName.get("unk_token"),
                byName.get("pad_token"));
    }

    /** The template variables {@code bos_token}, {@code eos_token}, ... that are set. */
    public Map<String, String> templateVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "bos_token", bos);
        put(m, "eos_token", eos);
        put(m, "unk_token", unk);
        put(m, "pad_token", pad);
        return m;
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
