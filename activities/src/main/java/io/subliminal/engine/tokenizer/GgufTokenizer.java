package io.subliminal.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.subliminal.engine.loader.GgufFile;

import java.util.List;

/**
 * Rebuilds a Hugging Face {@code tokenizer.json} from a GGUF file's {@code tokenizer.ggml.*} metadata and loads it
 * as an {@link HfTokenizer}.
 *
 * <p>Supported: {@code tokenizer.ggml.model = gpt2} (byte-level BPE) with {@code tokenizer.ggml.pre} (see
 * {@link GgufPreTokenizer}, each as the {@code tokenizer.json} of the model family):
 * <ul>
 *   <li>{@code smollm}: Digits with individual digits, then ByteLevel with the GPT-2 regex (SmolLM2);</li>
 *   <li>{@code default}/{@code gpt-2}: ByteLevel with the GPT-2 regex;</li>
 *   <li>{@code llama-bpe} (also {@code llama3}, {@code llama-v3}): Split on the Llama 3 regex (contractions matched
 *       case-insensitively, numbers in runs of up to three digits, newline runs kept together), ByteLevel without
 *       regex, BPE with {@code ignore_merges} (Llama 3.x); bos is added unless {@code add_bos_token} is false;</li>
 *   <li>{@code qwen2}: NFC, then the same Split with single digits, ByteLevel without regex (Qwen2/Qwen2.5).</li>
 * </ul>
 * Tokens of {@code token_type} 3 (control) become special added tokens, 4 (user-defined) non-special added tokens.
 * {@code add_bos_token}/{@code add_eos_token} (bos defaulting to true for {@code llama-bpe}, as in llama.cpp and in
 * Llama 3's own {@code tokenizer.json}) become a TemplateProcessing post-processor; otherwise the ByteLevel
 * post-processor adds nothing. Other tokenizer models and pre-tokenizers are rejected, naming the field and value.
 */
public final class GgufTokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;

    private GgufTokenizer() {
    }

    /** The tokenizer of a GGUF file, with the special tokens its {@code tokenizer.ggml.*_token_id} name. */
    public static HfTokenizer load(GgufFile gguf) {
        return HfTokenizer.fromJson(tokenizerJson(gguf), specialTokens(gguf));
    }

    /** bos/eos/unk/pad from {@code tokenizer.ggml.bos_token_id}, {@code eos_token_id}, {@code unknown_token_id},
     * {@code padding_token_id}. */
    public static SpecialTokens specialTokens(GgufFile gguf) {
        List<String> tokens = gguf.stringList("tokenizer.ggml.tokens");
        return new SpecialTokens(token(gguf, tokens, "tokenizer.ggml.bos_token_id"),
                token(gguf, tokens, "tokenizer.ggml.eos_token_id"),
                token(gguf, tokens, "tokenizer.ggml.unknown_token_id"),
                token(gguf, tokens, "tokenizer.ggml.padding_token_id"));
    }

    private static String token(GgufFile gguf, List<String> tokens, String key) {
        if (!gguf.has(key)) {
            return null;
        }
        long id = gguf.integer(key);
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("GGUF file " + gguf.path() + ": " + key + " " + id + " is not a token id");
        }
        return tokens.get((int) id);
    }

    /** The equivalent {@code tokenizer.json} text. */
    public static String tokenizerJson(GgufFile gguf) {
        String model = gguf.string("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw new IllegalArgumentException("GGUF file " + gguf.path() + ": unsupported tokenizer.ggml.model '" + model
                    + "' (supported: gpt2)");
        }
        GgufPreTokenizer pre = GgufPreTokenizer.of(
                gguf.has("tokenizer.ggml.pre") ? gguf.string("tokenizer.ggml.pre") : "default", gguf.path());
        List<String> tokens = gguf.stringList("tokenizer.ggml.tokens");
        int[] types = gguf.has("tokenizer.ggml.token_type") ? gguf.intArray("tokenizer.ggml.token_type") : new int[0];
        if (types.length != 0 && types.length != tokens.size()) {
            throw new IllegalArgumentException("GGUF file " + gguf.path() + ": tokenizer.ggml.token_type has "
                    + types.length + " entries for " + tokens.size() + " tokens");
        }
        List<String> merges = gguf.stringList("tokenizer.ggml.merges");

        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < types.length; i++) {
            if (types[i] == CONTROL || types[i] == USER_DEFINED) {
                ObjectNode t = added.addObject();
                t.put("id", i);
                t.put("content", tokens.get(i));
                t.put("single_word", false);
                t.put("lstrip", false);
                t.put("rstrip", false);
                t.put("normalized", types[i] != CONTROL);
                t.put("special", types[i] == CONTROL);
            }
        }
        root.set("normalizer", pre.normalizer());
        root.set("pre_tokenizer", pre.preTokenizer());
        root.set("post_processor", postProcessor(gguf, tokens, pre.addsBosByDefault()));
        root.set("decoder", GgufPreTokenizer.byteLevel(true, true, true));
        ObjectNode bpe = root.putObject("model");
        bpe.put("type", "BPE");
        bpe.putNull("dropout");
        bpe.putNull("unk_token");
        bpe.putNull("continuing_subword_prefix");
        bpe.putNull("end_of_word_suffix");
        bpe.put("fuse_unk", false);
        bpe.put("byte_fallback", false);
        bpe.put("ignore_merges", pre.ignoreMerges());
        ObjectNode vocab = bpe.putObject("vocab");
        for (int i = 0; i < tokens.size(); i++) {
            if (vocab.has(tokens.get(i))) {
                throw new IllegalArgumentException("GGUF file " + gguf.path() + ": token '" + tokens.get(i)
                        + "' appears twice in tokenizer.ggml.tokens");
            }
            vocab.put(tokens.get(i), i);
        }
        ArrayNode m = bpe.putArray("merges");
        for (String merge : merges) {
            int space = merge.indexOf(' ');
            if (space <= 0 || space == merge.length() - 1 || merge.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException("GGUF file " + gguf.path() + ": malformed merge '" + merge + "'");
            }
            m.addArray().add(merge.substring(0, space)).add(merge.substring(space + 1));
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode postProcessor(GgufFile gguf, List<String> tokens, boolean bosByDefault) {
        boolean bos = gguf.bool("tokenizer.ggml.add_bos_token", bosByDefault);
        boolean eos = gguf.bool("tokenizer.ggml.add_eos_token", false);
        if (!bos && !eos) {
            return GgufPreTokenizer.byteLevel(true, false, true);
        }
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "TemplateProcessing");
        ObjectNode special = JSON.createObjectNode();
        String bosToken = bos ? specialToken(gguf, tokens, "tokenizer.ggml.bos_token_id", special) : null;
        String eosToken = eos ? specialToken(gguf, tokens, "tokenizer.ggml.eos_token_id", special) : null;
        ArrayNode single = p.putArray("single");
        ArrayNode pair = p.putArray("pair");
        template(single, bosToken, "A", eosToken, 0);
        template(pair, bosToken, "A", eosToken, 0);
        template(pair, bosToken, "B", eosToken, 1);
        p.set("special_tokens", special);
        return p;
    }

    /** Appends {@code [bos] $seq [eos]} with {@code typeId} to a TemplateProcessing template. */
    private static void template(ArrayNode out, String bos, String seq, String eos, int typeId) {
        if (bos != null) {
            out.addObject().putObject("SpecialToken").put("id", bos).put("type_id", typeId);
        }
        out.addObject().putObject("Sequence").put("id", seq).put("type_id", typeId);
        if (eos != null) {
            out.addObject().putObject("SpecialToken").put("id", eos).put("type_id", typeId);
        }
    }

    private static String specialToken(GgufFile gguf, List<String> tokens, String key, ObjectNode special) {
        int id = Math.toIntExact(gguf.integer(key));
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("GGUF file " + gguf.path() + ": " + key + " " + id + " is not a token id");
        }
        String t = tokens.get(id);
        ObjectNode s = special.putObject(t);
        s.put("id", t);
        s.putArray("ids").add(id);
        s.putArray("tokens").add(t);
        return t;
    }
}
