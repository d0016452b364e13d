package io.subliminal.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} run by the Rust {@code tokenizers} library through DJL's
 * {@link HuggingFaceTokenizer}, configured as {@code transformers} uses it for generation and training: no truncation
 * (DJL's default would silently cut at 512 tokens), no padding, special tokens added only when a call asks.
 *
 * <p>The token-to-id table ({@link #tokenId}, {@link #vocabSize}) is read from the same JSON: the model's vocabulary
 * (BPE/WordPiece map or Unigram list) plus {@code added_tokens}; {@link #vocabSize} counts both, like
 * {@code len(tokenizer)} in transformers.
 */
public final class HfTokenizer implements TextTokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> ids;
    private final int vocabSize;
    private final SpecialTokens specialTokens;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> ids, int vocabSize,
                        SpecialTokens specialTokens) {
        this.tokenizer = tokenizer;
        this.ids = ids;
        this.vocabSize = vocabSize;
        this.specialTokens = specialTokens;
    }

    /** Loads {@code tokenizer.json} without special-token names. */
    public static HfTokenizer open(Path tokenizerJson) {
        return open(tokenizerJson, SpecialTokens.none());
    }

    /** Loads {@code tokenizer.json}; each named special token must be in its vocabulary. */
    public static HfTokenizer open(Path tokenizerJson, SpecialTokens specialTokens) {
        String json;
        try {
            json = Files.readString(tokenizerJson, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + tokenizerJson + ": " + e, e);
        }
        try {
            return fromJson(json, specialTokens);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /** Loads a tokenizer from the text of a {@code tokenizer.json} without special-token names. */
    public static HfTokenizer fromJson(String tokenizerJson) {
        return fromJson(tokenizerJson, SpecialTokens.none());
    }

    /** Loads a tokenizer from the text of a {@code tokenizer.json}; named special tokens must be in its vocabulary. */
    public static HfTokenizer fromJson(String tokenizerJson, SpecialTokens specialTokens) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("tokenizer.json is not valid JSON: " + e.getMessage(), e);
        }
        Map<String, Integer> ids = vocabulary(root);
        int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        specialTokens.templateVariables().forEach((name, token) -> {
            if (!ids.containsKey(token)) {
                throw new IllegalArgumentException("special token " + name + " '" + token
                        + "' is not in the tokenizer's vocabulary");
            }
        });
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false",
                "withOverflowingTokens", "false");
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(tokenizerJson.getBytes(StandardCharsets.UTF_8)), options);
            return new HfTokenizer(t, Collections.unmodifiableMap(ids), size, specialTokens);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the tokenizers library rejected tokenizer.json: " + e.getMessage(), e);
        }
    }

    private static Map<String, Integer> vocabulary(JsonNode root) {
        JsonNode model = root.path("model");
        JsonNode vocab = model.get("vocab");
        if (vocab == null) {
            throw new IllegalArgumentException("tokenizer.json has no model.vocab");
        }
        Map<String, Integer> ids = new HashMap<>();
        if (vocab.isObject()) {                      // BPE, WordPiece, WordLevel
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ids.put(e.getKey(), e.getValue().asInt());
            }
        } else if (vocab.isArray()) {                // Unigram: [[piece, score], ...]
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).get(0).asText(), i);
            }
        } else {
            throw new IllegalArgumentException("tokenizer.json model.vocab is neither a map nor a list");
        }
        for (JsonNode t : root.path("added_tokens")) {
            ids.put(t.get("content").asText(), t.get("id").asInt());
        }
        return ids;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = tokenizer.encode(text, addSpecialTokens, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary of " + vocabSize);
            }
            l[i] = ids[i];
        }
        return tokenizer.decode(l, skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int tokenId(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
