package io.subliminal.engine.loader;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp tensor names ({@code blk.N.attn_q.weight}) to Hugging Face names
 * ({@code model.layers.N.self_attn.q_proj.weight}) for the llama and qwen2 GGUF architectures.
 */
public final class GgufTensorNames {

    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\.([a-z_]+)\\.(weight|bias)");
    private static final Map<String, String> GLOBAL = Map.of(
            "token_embd", "model.embed_tokens",
            "output_norm", "model.norm",
            "output", "lm_head");
    private static final Map<String, String> BLOCK_PARTS = Map.of(
            "attn_q", "self_attn.q_proj",
            "attn_k", "self_attn.k_proj",
            "attn_v", "self_attn.v_proj",
            "attn_output", "self_attn.o_proj",
            "ffn_gate", "mlp.gate_proj",
            "ffn_up", "mlp.up_proj",
            "ffn_down", "mlp.down_proj",
            "attn_norm", "input_layernorm",
            "ffn_norm", "post_attention_layernorm");

    private GgufTensorNames() {
    }

    /** The HF name of a GGUF tensor, or an {@link IllegalArgumentException} naming the unknown tensor. */
    public static String toHf(String gguf) {
        Matcher m = BLOCK.matcher(gguf);
        if (m.matches()) {
            String part = BLOCK_PARTS.get(m.group(2));
            if (part != null) {
                return "model.layers." + m.group(1) + "." + part + "." + m.group(3);
            }
        } else {
            int dot = gguf.lastIndexOf('.');
            if (dot > 0) {
                String base = GLOBAL.get(gguf.substring(0, dot));
                String suffix = gguf.substring(dot + 1);
                if (base != null && (suffix.equals("weight") || suffix.equals("bias"))) {
                    return base + "." + suffix;
                }
            }
        }
        throw new IllegalArgumentException("GGUF tensor '" + gguf + "' has no Hugging Face equivalent in this loader");
    }
}
