package io.subliminal.engine.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The text pipeline in front of a GGUF byte-level BPE vocabulary, chosen by {@code tokenizer.ggml.pre}: the
 * normalizer, the pre-tokenizer and the BPE options of the Hugging Face {@code tokenizer.json} the model was converted
 * from, and whether a bos token is added when the GGUF file has no {@code tokenizer.ggml.add_bos_token} (as llama.cpp
 * decides it for that pre-tokenizer).
 */
enum GgufPreTokenizer {

    /** SmolLM/SmolLM2: Digits (individual digits), then ByteLevel with the GPT-2 regex. */
    SMOLLM(List.of("smollm")),
    /** GPT-2: ByteLevel with the GPT-2 regex. */
    GPT2(List.of("default", "gpt-2")),
    /**
     * Llama 3.x: Split on the Llama 3 regex (numbers in runs of at most three digits, case-insensitive contractions),
     * ByteLevel without its own regex; the BPE looks a whole pre-token up in the vocabulary before merging
     * ({@code ignore_merges}); a bos token ({@code <|begin_of_text|>}) is added by default.
     */
    LLAMA3(List.of("llama-bpe", "llama3", "llama-v3")),
    /** Qwen2/Qwen2.5: NFC, then Split on the Llama 3 regex with single digits, ByteLevel without its own regex. */
    QWEN2(List.of("qwen2"));

    /** The Llama 3 split regex, as in Llama-3.x {@code tokenizer.json}. */
    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** The Qwen2 split regex, as in Qwen2.5 {@code tokenizer.json}: the Llama 3 regex with {@code \p{N}} alone. */
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> names;

    GgufPreTokenizer(List<String> names) {
        this.names = names;
    }

    /** The pre-tokenizer named by a {@code tokenizer.ggml.pre} value; an unknown value is rejected naming the field. */
    static GgufPreTokenizer of(String pre, Path file) {
        for (GgufPreTokenizer p : values()) {
            if (p.names.contains(pre)) {
                return p;
            }
        }
        throw new IllegalArgumentException("GGUF file " + file + ": unsupported tokenizer.ggml.pre '" + pre
                + "' (supported: " + String.join(", ", supportedNames()) + ")");
    }

    static List<String> supportedNames() {
        return Arrays.stream(values()).flatMap(p -> p.names.stream()).toList();
    }

    /** The {@code normalizer} node, or null for none. */
    ObjectNode normalizer() {
        if (this != QWEN2) {
            return null;
        }
        ObjectNode nfc = JSON.createObjectNode();
        nfc.put("type", "NFC");
        return nfc;
    }

    /** The {@code pre_tokenizer} node. */
    ObjectNode preTokenizer() {
        return switch (this) {
            case SMOLLM -> {
                ObjectNode digits = JSON.createObjectNode();
                digits.put("type", "Digits");
                digits.put("individual_digits", true);
                yield sequence(digits, byteLevel(false, true, true));
            }
            case GPT2 -> byteLevel(false, true, true);
            case LLAMA3 -> sequence(split(LLAMA3_REGEX), byteLevel(false, true, false));
            case QWEN2 -> sequence(split(QWEN2_REGEX), byteLevel(false, false, false));
        };
    }

    /** The BPE model's {@code ignore_merges}: a pre-token found whole in the vocabulary is one token. */
    boolean ignoreMerges() {
        return this == LLAMA3;
    }

    /** Whether a bos token is added when the file has no {@code tokenizer.ggml.add_bos_token}. */
    boolean addsBosByDefault() {
        return this == LLAMA3;
    }

    /** A ByteLevel pre-tokenizer, post-processor or decoder node. */
    static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) {
        ObjectNode b = JSON.createObjectNode();
        b.put("type", "ByteLevel");
        b.put("add_prefix_space", addPrefixSpace);
        b.put("trim_offsets", trimOffsets);
        b.put("use_regex", useRegex);
        return b;
    }

    /** Split on every match of {@code regex}, each match its own pre-token (behavior Isolated, not inverted). */
    private static ObjectNode split(String regex) {
        ObjectNode s = JSON.createObjectNode();
        s.put("type", "Split");
        s.putObject("pattern").put("Regex", regex);
        s.put("behavior", "Isolated");
        s.put("invert", false);
        return s;
    }

    private static ObjectNode sequence(ObjectNode... steps) {
        ObjectNode seq = JSON.createObjectNode();
        seq.put("type", "Sequence");
        ArrayNode list = seq.putArray("pretokenizers");
        for (ObjectNode step : steps) {
            list.add(step);
        }
        return seq;
    }
}
