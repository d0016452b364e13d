package io.subliminal.engine.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.model.ModelConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Hugging Face {@code config.json} to {@link ModelConfig}, with the defaults of the transformers config class of each
 * supported family filled in for absent fields (transformers 4.54: {@code LlamaConfig}, {@code Qwen2Config},
 * {@code MistralConfig}, {@code Gemma3TextConfig}, {@code Phi3Config}).
 *
 * <p>Supported {@code model_type}s: {@code llama} (SmolLM2, Llama 3.x, Falcon3), {@code qwen2}, {@code mistral}
 * (incl. Ministral), {@code gemma3} (the multimodal wrapper: its {@code text_config} is used) and
 * {@code gemma3_text}, {@code phi3} (Phi-4). Anything the engine cannot run faithfully (other model types, RoPE
 * variants, partial rotary, MLP bias ...) is rejected with an {@link IllegalArgumentException} naming the field and
 * its value, never silently approximated.
 *
 * <p>Notes on the mapping: {@code attentionBias} is true for qwen2 (bias on q/k/v only, never on o_proj, as in
 * transformers' Qwen2Attention). For gemma3 the {@code ropeScaling} applies to the global (full-attention) layers
 * only; sliding layers use {@code ropeLocalTheta} without scaling. A {@code sliding_window} on mistral/phi3/qwen2
 * (when enabled) makes every listed layer a sliding layer, as their HF attention does.
 */
public final class HfConfig {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> LAYER_TYPES = Set.of("full_attention", "sliding_attention");

    private HfConfig() {
    }

    /** Parses {@code config.json}; errors name the file. */
    public static ModelConfig read(Path configJson) {
        JsonNode root;
        try {
            root = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model config " + configJson + ": " + e.getMessage(), e);
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configJson + ": " + e.getMessage(), e);
        }
    }

    /** Parses config.json text. */
    public static ModelConfig parse(String json) {
        try {
            return parse(JSON.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("model config is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Parses a config.json tree. */
    public static ModelConfig parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("model config must be a JSON object");
        }
        String type = text(root, "model_type", null);
        if (type == null) {
            throw new IllegalArgumentException("model config has no 'model_type'");
        }
        return switch (type) {
            case "llama" -> llama(root);
            case "qwen2" -> qwen2(root);
            case "mistral" -> mistral(root);
            case "gemma3" -> gemma3Wrapper(root);
            case "gemma3_text" -> gemma3Text(root, null);
            case "phi3" -> phi3(root);
            default -> throw new IllegalArgumentException("unsupported model_type '" + type
                    + "' (supported: llama, qwen2, mistral, gemma3, gemma3_text, phi3)");
        };
    }

    // ---------------------------------------------------------------- families

    private static ModelConfig llama(JsonNode c) {
        rejectTrue(c, "mlp_bias");
        rejectTrue(c, "attention_bias"); // llama's attention_bias also adds an o_proj bias, which the engine lacks
        requireEquals(c, "pretraining_tp", 1);
        requireAbsentOrEquals(c, "hidden_act", "silu");
        Common k = common(c, new Defaults(32000, 4096, 11008, 32, 32, 2048, 1e-6, 10000.0, false, 1, List.of(2), null));
        return k.build("llama", false, "silu", null, null, null, null, null, null);
    }

    private static ModelConfig qwen2(JsonNode c) {
        requireAbsentOrEquals(c, "hidden_act", "silu");
        Common k = common(c, new Defaults(151936, 4096, 22016, 32, 32, 32768, 1e-6, 10000.0, false, null, List.of(), null));
        // Qwen2Config: sliding_window only when use_sliding_window, and then for layers >= max_window_layers
        List<String> layerTypes = layerTypesField(c, k.numLayers);
        Integer window = null;
        if (bool(c, "use_sliding_window", false)) {
            window = integer(c, "sliding_window", 4096);
            if (layerTypes == null) {
                int maxWindowLayers = integer(c, "max_window_layers", 28);
                layerTypes = new ArrayList<>();
                for (int i = 0; i < k.numLayers; i++) {
                    layerTypes.add(i >= maxWindowLayers ? "sliding_attention" : "full_attention");
                }
            }
        } else {
            layerTypes = null;
        }
        return k.build("qwen2", true, "silu", layerTypes, window, null, null, null, null);
    }

    private static ModelConfig mistral(JsonNode c) {
        rejectTrue(c, "attention_bias");
        requireAbsentOrEquals(c, "hidden_act", "silu");
        // MistralConfig: num_key_value_heads defaults to 8 (not to the head count)
        Common k = common(c, new Defaults(32000, 4096, 14336, 32, 32, 4096 * 32, 1e-6, 10000.0, false, 1, List.of(2), null),
                c, 8, -1);
        return slidingEverywhere(c, k, "mistral", c.has("sliding_window") ? integerOrNull(c, "sliding_window") : Integer.valueOf(4096));
    }

    private static ModelConfig phi3(JsonNode c) {
        requireAbsentOrEquals(c, "hidden_act", "silu");
        double partial = number(c, "partial_rotary_factor", 1.0);
        if (partial != 1.0) {
            throw new IllegalArgumentException("unsupported partial_rotary_factor " + partial
                    + " (only 1.0, full rotary, is supported)");
        }
        Common k = common(c, new Defaults(32064, 3072, 8192, 32, 32, 4096, 1e-5, 10000.0, false, 1, List.of(32000), 32000));
        return slidingEverywhere(c, k, "phi3", integerOrNull(c, "sliding_window"));
    }

    private static ModelConfig slidingEverywhere(JsonNode c, Common k, String type, Integer window) {
        List<String> layerTypes = layerTypesField(c, k.numLayers);
        if (layerTypes == null && window != null) {
            layerTypes = new ArrayList<>();
            for (int i = 0; i < k.numLayers; i++) {
                layerTypes.add("sliding_attention");
            }
        }
        if (layerTypes != null && window == null && layerTypes.contains("sliding_attention")) {
            throw new IllegalArgumentException("layer_types has sliding_attention layers but sliding_window is null");
        }
        return k.build(type, false, "silu", layerTypes, layerTypes == null ? null : window, null, null, null, null);
    }

    private static ModelConfig gemma3Wrapper(JsonNode c) {
        JsonNode text = c.get("text_config");
        if (text != null && !text.isNull() && !text.isObject()) {
            throw new IllegalArgumentException("gemma3 'text_config' must be an object, got " + text);
        }
        JsonNode t = text == null || text.isNull() ? JSON.createObjectNode() : text;
        String inner = text(t, "model_type", "gemma3_text");
        if (!inner.equals("gemma3_text")) {
            throw new IllegalArgumentException("unsupported text_config.model_type '" + inner + "' in gemma3 config");
        }
        try {
            return gemma3Text(t, c);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("text_config: " + e.getMessage(), e);
        }
    }

    /** {@code Gemma3TextConfig}; special token ids absent from text_config come from the wrapper when given. */
    private static ModelConfig gemma3Text(JsonNode t, JsonNode wrapper) {
        rejectTrue(t, "attention_bias");
        if (t.has("hidden_act") && !t.has("hidden_activation")) {
            requireAbsentOrEquals(t, "hidden_act", "gelu_pytorch_tanh");
        }
        String act = text(t, "hidden_activation", "gelu_pytorch_tanh");
        if (!act.equals("gelu_pytorch_tanh")) {
            throw new IllegalArgumentException("unsupported hidden_activation '" + act + "' (gemma3 needs gelu_pytorch_tanh)");
        }
        JsonNode ids = wrapper == null ? t : merged(t, wrapper, "bos_token_id", "eos_token_id", "pad_token_id");
        Common k = common(t, new Defaults(262208, 2304, 9216, 26, 8, 131072, 1e-6, 1_000_000.0, true, 2, List.of(1), 0),
                ids, 4, 256);
        List<String> layerTypes = layerTypesField(t, k.numLayers);
        if (layerTypes == null) {
            int pattern = t.has("sliding_window_pattern") ? integer(t, "sliding_window_pattern", 6)
                    : integer(t, "_sliding_window_pattern", 6);
            if (pattern <= 0) {
                throw new IllegalArgumentException("invalid sliding_window_pattern " + pattern);
            }
            layerTypes = new ArrayList<>();
            for (int i = 0; i < k.numLayers; i++) {
                layerTypes.add((i + 1) % pattern != 0 ? "sliding_attention" : "full_attention");
            }
        }
        int window = integer(t, "sliding_window", 4096);
        double queryPreAttnScalar = number(t, "query_pre_attn_scalar", 256);
        JsonNode sliding = t.path("rope_parameters").path("sliding_attention");
        double localTheta = sliding.isObject() && sliding.has("rope_theta")
                ? number(sliding, "rope_theta", 10_000.0) : number(t, "rope_local_base_freq", 10_000.0);
        Double finalCap = numberOrNull(t, "final_logit_softcapping");
        Double attnCap = numberOrNull(t, "attn_logit_softcapping");
        return k.build("gemma3_text", false, "gelu_pytorch_tanh", layerTypes, window, queryPreAttnScalar, localTheta,
                finalCap, attnCap);
    }

    // ---------------------------------------------------------------- shared fields

    private record Defaults(int vocab, int hidden, int intermediate, int layers, int heads, int maxPositions,
                            double rmsEps, double ropeTheta, boolean tie, Integer bos, List<Integer> eos, Integer pad) {
    }

    /** The fields every family has, resolved against the family's defaults. */
    private record Common(int vocab, int hidden, int intermediate, int numLayers, int heads, int kvHeads, int headDim,
                          double rmsEps, double ropeTheta, ModelConfig.RopeScaling ropeScaling, boolean tie,
                          int maxPositions, Integer bos, List<Integer> eos, Integer pad) {

        ModelConfig build(String type, boolean attentionBias, String act, List<String> layerTypes, Integer window,
                          Double queryPreAttnScalar, Double ropeLocalTheta, Double finalCap, Double attnCap) {
            return new ModelConfig(type, vocab, hidden, intermediate, numLayers, heads, kvHeads, headDim, rmsEps,
                    ropeTheta, ropeScaling, tie, attentionBias, maxPositions, act, layerTypes, window,
                    queryPreAttnScalar, ropeLocalTheta, finalCap, attnCap, bos, eos, pad);
        }
    }

    private static Common common(JsonNode c, Defaults d) {
        return common(c, d, c, -1, -1);
    }

    /**
     * @param kvDefault num_key_value_heads when absent; -1 means "the head count" (llama, qwen2, phi3)
     * @param headDimDefault head_dim when absent; -1 means hidden / heads
     */
    private static Common common(JsonNode c, Defaults d, JsonNode ids, int kvDefault, int headDimDefault) {
        int hidden = integer(c, "hidden_size", d.hidden);
        int heads = integer(c, "num_attention_heads", d.heads);
        if (heads <= 0) {
            throw new IllegalArgumentException("invalid num_attention_heads " + heads);
        }
        String type = text(c, "model_type", "");
        int kvFallback = kvDefault > 0 ? kvDefault : heads;
        Integer kv = integerOrNull(c, "num_key_value_heads");
        int kvHeads = kv == null ? kvFallback : kv;
        Integer hd = integerOrNull(c, "head_dim");
        int headDim;
        if (hd != null) {
            headDim = hd;
        } else if (headDimDefault > 0) {
            headDim = headDimDefault;
        } else {
            if (hidden % heads != 0) {
                throw new IllegalArgumentException("hidden_size " + hidden + " is not divisible by num_attention_heads "
                        + heads + " and head_dim is absent");
            }
            headDim = hidden / heads;
        }
        // transformers >= 5 moves rope_theta/rope_scaling into rope_parameters, per layer type for Gemma 3
        JsonNode ropeParams = c.get("rope_parameters");
        if (ropeParams != null && ropeParams.path("full_attention").isObject()) {
            ropeParams = ropeParams.get("full_attention");
        }
        boolean hasParams = ropeParams != null && ropeParams.isObject();
        double ropeTheta = hasParams && ropeParams.has("rope_theta")
                ? number(ropeParams, "rope_theta", d.ropeTheta) : number(c, "rope_theta", d.ropeTheta);
        JsonNode scalingNode = c.get("rope_scaling");
        if ((scalingNode == null || scalingNode.isNull()) && hasParams) {
            scalingNode = ropeParams;
        }
        ModelConfig.RopeScaling scaling = ropeScaling(scalingNode, type);
        return new Common(
                integer(c, "vocab_size", d.vocab), hidden, integer(c, "intermediate_size", d.intermediate),
                integer(c, "num_hidden_layers", d.layers), heads, kvHeads, headDim,
                number(c, "rms_norm_eps", d.rmsEps), ropeTheta, scaling, bool(c, "tie_word_embeddings", d.tie),
                integer(c, "max_position_embeddings", d.maxPositions),
                ids.has("bos_token_id") ? integerOrNull(ids, "bos_token_id") : d.bos,
                ids.has("eos_token_id") ? intList(ids, "eos_token_id") : d.eos,
                ids.has("pad_token_id") ? integerOrNull(ids, "pad_token_id") : d.pad);
    }

    private static ModelConfig.RopeScaling ropeScaling(JsonNode s, String modelType) {
        if (s == null || s.isNull()) {
            return null;
        }
        if (!s.isObject()) {
            throw new IllegalArgumentException("rope_scaling must be an object or null, got " + s);
        }
        String type = s.has("rope_type") ? text(s, "rope_type", null) : text(s, "type", "default");
        String field = s.has("rope_type") ? "rope_scaling.rope_type" : "rope_scaling.type";
        switch (type) {
            case "default":
                return null;
            case "linear": {
                double factor = number(s, "factor", Double.NaN);
                if (!(factor > 0)) {
                    throw new IllegalArgumentException("rope_scaling.factor must be > 0 for linear scaling, got " + s.get("factor"));
                }
                return new ModelConfig.RopeScaling("linear", factor, 0, 0, 0);
            }
            case "llama3": {
                double factor = number(s, "factor", Double.NaN);
                double low = number(s, "low_freq_factor", Double.NaN);
                double high = number(s, "high_freq_factor", Double.NaN);
                Integer orig = integerOrNull(s, "original_max_position_embeddings");
                if (!(factor > 0) || !(low > 0) || !(high > low) || orig == null || orig <= 0) {
                    throw new IllegalArgumentException("rope_scaling of type llama3 needs factor > 0, "
                            + "0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0; got " + s);
                }
                return new ModelConfig.RopeScaling("llama3", factor, low, high, orig);
            }
            default:
                throw new IllegalArgumentException("unsupported " + field + " '" + type + "' for model_type " + modelType
                        + " (supported: default, linear, llama3)");
        }
    }

    private static List<String> layerTypesField(JsonNode c, int numLayers) {
        JsonNode n = c.get("layer_types");
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray() || n.size() != numLayers) {
            throw new IllegalArgumentException("layer_types must be a list of " + numLayers + " entries, got " + n);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual() || !LAYER_TYPES.contains(e.asText())) {
                throw new IllegalArgumentException("unsupported layer_types entry " + e
                        + " (supported: full_attention, sliding_attention)");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static JsonNode merged(JsonNode primary, JsonNode fallback, String... fields) {
        var out = ((com.fasterxml.jackson.databind.node.ObjectNode) primary).deepCopy();
        for (String f : fields) {
            if (!out.has(f) && fallback.has(f)) {
                out.set(f, fallback.get(f));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- typed field access (shared with GenerationConfigJson)

    static String text(JsonNode c, String field, String dflt) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string, got " + n);
        }
        return n.asText();
    }

    static int integer(JsonNode c, String field, int dflt) {
        Integer v = integerOrNull(c, field);
        return v == null ? dflt : v;
    }

    static Integer integerOrNull(JsonNode c, String field) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            if (n.isNumber() && n.asDouble() == Math.rint(n.asDouble()) && Math.abs(n.asDouble()) < Integer.MAX_VALUE) {
                return (int) n.asDouble();
            }
            throw new IllegalArgumentException("field '" + field + "' must be an integer, got " + n);
        }
        return n.asInt();
    }

    static double number(JsonNode c, String field, double dflt) {
        Double v = numberOrNull(c, field);
        return v == null ? dflt : v;
    }

    static Double numberOrNull(JsonNode c, String field) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be a number, got " + n);
        }
        return n.asDouble();
    }

    static boolean bool(JsonNode c, String field, boolean dflt) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException("field '" + field + "' must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    /** An int or a list of ints (e.g. {@code eos_token_id}); null gives an empty list. */
    static List<Integer> intList(JsonNode c, String field) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw new IllegalArgumentException("field '" + field + "' must hold integers, got " + n);
                }
                out.add(e.asInt());
            }
        } else if (n.isIntegralNumber() && n.canConvertToInt()) {
            out.add(n.asInt());
        } else {
            throw new IllegalArgumentException("field '" + field + "' must be an integer or a list of integers, got " + n);
        }
        return out;
    }

    private static void rejectTrue(JsonNode c, String field) {
        if (bool(c, field, false)) {
            throw new IllegalArgumentException("unsupported " + field + " true for model_type " + text(c, "model_type", "?"));
        }
    }

    private static void requireEquals(JsonNode c, String field, int expected) {
        Integer v = integerOrNull(c, field);
        if (v != null && v != expected) {
            throw new IllegalArgumentException("unsupported " + field + " " + v + " (only " + expected + ")");
        }
    }

    private static void requireAbsentOrEquals(JsonNode c, String field, String expected) {
        String v = text(c, field, expected);
        if (!v.equals(expected)) {
            throw new IllegalArgumentException("unsupported " + field + " '" + v + "' (only " + expected + ")");
        }
    }
}
