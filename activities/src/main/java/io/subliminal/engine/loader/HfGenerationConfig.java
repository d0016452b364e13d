package io.subliminal.engine.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.GenerationDefaults;
import io.subliminal.engine.model.ModelConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Hugging Face {@code generation_config.json} to {@link GenerationDefaults}, merged like transformers'
 * {@code GenerationConfig}: an absent field keeps HF's default (do_sample false, temperature 1.0, top_k 50,
 * top_p 1.0, repetition_penalty 1.0). An explicit {@code null} disables the processor as in HF: {@code top_k: null}
 * becomes 0 (no top-k filtering), {@code temperature/top_p/repetition_penalty: null} become 1.0 (no-ops).
 * Special token ids absent from the file are taken from the model's config.json.
 */
public final class HfGenerationConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfGenerationConfig() {
    }

    public static GenerationDefaults read(Path generationConfigJson, ModelConfig model) {
        JsonNode root;
        try {
            root = JSON.readTree(generationConfigJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read generation config " + generationConfigJson + ": " + e.getMessage(), e);
        }
        try {
            return parse(root, model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(generationConfigJson + ": " + e.getMessage(), e);
        }
    }

    public static GenerationDefaults parse(String json, ModelConfig model) {
        try {
            return parse(JSON.readTree(json), model);
        } catch (IOException e) {
            throw new IllegalArgumentException("generation config is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** @param model supplies bos/eos/pad ids the file does not set; may be null */
    public static GenerationDefaults parse(JsonNode c, ModelConfig model) {
        if (c == null || !c.isObject()) {
            throw new IllegalArgumentException("generation config must be a JSON object");
        }
        boolean doSample = HfConfig.bool(c, "do_sample", false);
        double temperature = HfConfig.number(c, "temperature", 1.0);
        int topK = topK(c);
        double topP = HfConfig.number(c, "top_p", 1.0);
        double repetitionPenalty = HfConfig.number(c, "repetition_penalty", 1.0);
        List<Integer> eos = c.has("eos_token_id") ? HfConfig.intList(c, "eos_token_id")
                : model == null ? List.of() : model.eosTokenIds();
        Integer bos = c.has("bos_token_id") ? HfConfig.integerOrNull(c, "bos_token_id")
                : model == null ? null : model.bosTokenId();
        Integer pad = c.has("pad_token_id") ? HfConfig.integerOrNull(c, "pad_token_id")
                : model == null ? null : model.padTokenId();
        return new GenerationDefaults(doSample, temperature, topK, topP, repetitionPenalty, eos, bos, pad);
    }

    private static int topK(JsonNode c) {
        if (!c.has("top_k")) {
            return GenerationDefaults.HF_TOP_K;
        }
        Integer k = HfConfig.integerOrNull(c, "top_k");
        if (k == null) {
            return 0;
        }
        if (k < 0) {
            throw new IllegalArgumentException("field 'top_k' must be >= 0, got " + k);
        }
        return k;
    }
}
