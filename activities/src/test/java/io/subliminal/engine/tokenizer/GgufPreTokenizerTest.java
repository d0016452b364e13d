package io.subliminal.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.loader.GgufFile;
import io.subliminal.engine.loader.GgufTestFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code tokenizer.ggml.pre} pipelines on tiny GGUF files written here: a byte-level vocabulary (the 256 bytes in
 * GPT-2's bytes_to_unicode alphabet, byte b at id b) plus a few merges, chosen so that each pre-tokenizer rule shows in
 * the tokens: a merge can only apply inside one pre-token, so the pieces below are derived by hand from the regexes.
 */
class GgufPreTokenizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Merges in rank order; each result is a vocabulary token (ids 256, 257, ... in this order). */
    private static final List<String[]> MERGES = List.of(
            new String[] {"1", "2"}, new String[] {"12", "3"},
            new String[] {"4", "5"}, new String[] {"45", "6"},
            new String[] {"Ċ", "Ċ"}, new String[] {"ĊĊ", "Ċ"},   // "\n\n", "\n\n\n"
            new String[] {"!", "Ċ"},                            // "!\n"
            new String[] {"M", "O"}, new String[] {"'", "M"},    // "MO" outranks "'M"
            new String[] {"a", "b"},
            new String[] {"Ã", "©"});                           // "é" = C3 A9
    /** In the vocabulary but produced by no merge: only a whole-pre-token lookup (ignore_merges) finds it. */
    private static final String UNMERGEABLE = "abc";
    private static final String BOS = "<|begin_of_text|>";
    private static final String EOS = "<|end_of_text|>";

    @TempDir
    Path dir;

    /** GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the rest map to U+0100 onwards. */
    static String byteChar(int b) {
        if (printable(b)) {
            return String.valueOf((char) b);
        }
        int n = 0;
        for (int c = 0; c < b; c++) {
            if (!printable(c)) {
                n++;
            }
        }
        return String.valueOf((char) (256 + n));
    }

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    static List<String> vocabulary() {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(byteChar(b));
        }
        for (String[] m : MERGES) {
            tokens.add(m[0] + m[1]);
        }
        tokens.add(UNMERGEABLE);
        tokens.add(BOS);
        tokens.add(EOS);
        return tokens;
    }

    /** A GGUF v3 file with no tensors and this tokenizer metadata; {@code addBos} null leaves the key out. */
    private Path gguf(String pre, Boolean addBos) throws IOException {
        List<String> tokens = vocabulary();
        int[] types = new int[tokens.size()];
        Arrays.fill(types, 1);
        types[tokens.indexOf(BOS)] = 3;
        types[tokens.indexOf(EOS)] = 3;
        GgufTestFile f = new GgufTestFile()
                .str("general.architecture", "llama")
                .str("tokenizer.ggml.model", "gpt2")
                .str("tokenizer.ggml.pre", pre)
                .strings("tokenizer.ggml.tokens", tokens)
                .ints("tokenizer.ggml.token_type", types)
                .strings("tokenizer.ggml.merges", MERGES.stream().map(m -> m[0] + " " + m[1]).toList())
                .u32("tokenizer.ggml.bos_token_id", tokens.indexOf(BOS))
                .u32("tokenizer.ggml.eos_token_id", tokens.indexOf(EOS));
        if (addBos != null) {
            f.bool("tokenizer.ggml.add_bos_token", addBos);
        }
        return f.write(dir.resolve(pre + "-" + addBos + ".gguf"));
    }

    private HfTokenizer tokenizer(String pre) throws IOException {
        return tokenizer(pre, null);
    }

    private HfTokenizer tokenizer(String pre, Boolean addBos) throws IOException {
        try (GgufFile f = GgufFile.open(gguf(pre, addBos))) {
            return GgufTokenizer.load(f);
        }
    }

    /** The text of each token {@code text} encodes to. */
    private static List<String> pieces(HfTokenizer t, String text) {
        List<String> out = new ArrayList<>();
        for (int id : t.encode(text, false)) {
            out.add(t.decode(new int[] {id}, false));
        }
        assertEquals(text, t.decode(t.encode(text, false), false), "decode inverts encode");
        return out;
    }

    private static int id(String token) {
        int i = vocabulary().indexOf(token);
        assertTrue(i >= 0, token);
        return i;
    }

    @Test
    void llamaBpeGroupsDigitsInThreesQwen2SplitsEveryDigit() throws IOException {
        try (HfTokenizer llama = tokenizer("llama-bpe"); HfTokenizer qwen = tokenizer("qwen2")) {
            assertEquals(List.of("123", "45"), pieces(llama, "12345"));
            assertEquals(List.of("123", "456", "7"), pieces(llama, "1234567"));
            assertArrayEquals(new int[] {id("123"), id("45")}, llama.encode("12345", false));
            assertEquals(List.of("1", "2", "3", "4", "5"), pieces(qwen, "12345"));
            assertArrayEquals(new int[] {'1', '2'}, qwen.encode("12", false), "the 1+2 merge never sees both digits");
        }
    }

    @Test
    void contractionsSplitCaseInsensitively() throws IOException {
        try (HfTokenizer llama = tokenizer("llama-bpe"); HfTokenizer qwen = tokenizer("qwen2");
             HfTokenizer gpt2 = tokenizer("gpt-2")) {
            // (?i:'m) takes "'M" first, so "M O" (rank 8) cannot apply across it; "' M" (rank 9) joins the pre-token.
            assertEquals(List.of("I", "'M", "O", "K"), pieces(llama, "I'MOK"));
            assertEquals(List.of("I", "'M", "O", "K"), pieces(qwen, "I'MOK"));
            // The GPT-2 regex knows only lower-case contractions: "'" alone, then the letters "MOK".
            assertEquals(List.of("I", "'", "MO", "K"), pieces(gpt2, "I'MOK"));
        }
    }

    @Test
    void newlineRunsAndTrailingNewlinesStayTogether() throws IOException {
        try (HfTokenizer llama = tokenizer("llama-bpe"); HfTokenizer qwen = tokenizer("qwen2");
             HfTokenizer gpt2 = tokenizer("default")) {
            for (HfTokenizer t : List.of(llama, qwen)) {
                assertEquals(List.of("a", "\n\n\n", "b"), pieces(t, "a\n\n\nb"));    // \s*[\r\n]+
                assertEquals(List.of("x", "!\n"), pieces(t, "x!\n"));              // ?[^\s\p{L}\p{N}]+[\r\n]*
            }
            // GPT-2: \s+(?!\S) backs off one newline before the letter, and punctuation never takes a newline.
            assertEquals(List.of("a", "\n\n", "\n", "b"), pieces(gpt2, "a\n\n\nb"));
            assertEquals(List.of("x", "!", "\n"), pieces(gpt2, "x!\n"));
        }
    }

    @Test
    void llamaBpeLooksWholePreTokensUpBeforeMerging() throws IOException {
        try (HfTokenizer llama = tokenizer("llama-bpe"); HfTokenizer qwen = tokenizer("qwen2")) {
            assertArrayEquals(new int[] {id(UNMERGEABLE)}, llama.encode("abc", false));
            assertEquals(List.of("ab", "c"), pieces(qwen, "abc"));
        }
    }

    @Test
    void qwen2NormalizesToNfcLlamaBpeDoesNot() throws IOException {
        String decomposed = "e\u0301";               // e + COMBINING ACUTE ACCENT; NFC: U+00E9 = C3 A9
        try (HfTokenizer llama = tokenizer("llama-bpe"); HfTokenizer qwen = tokenizer("qwen2")) {
            assertArrayEquals(new int[] {id("Ã©")}, qwen.encode(decomposed, false));
            assertEquals("\u00e9", qwen.decode(qwen.encode(decomposed, false), false));
            assertArrayEquals(new int[] {'e', 0xCC, 0x81}, llama.encode(decomposed, false));
            assertEquals(decomposed, llama.decode(llama.encode(decomposed, false), false));
        }
    }

    @Test
    void llamaBpeAddsBeginOfTextUnlessTheFileSaysNot() throws IOException {
        int bos = id(BOS);
        try (HfTokenizer byDefault = tokenizer("llama-bpe"); HfTokenizer on = tokenizer("llama-bpe", true);
             HfTokenizer off = tokenizer("llama-bpe", false); HfTokenizer qwen = tokenizer("qwen2")) {
            assertArrayEquals(new int[] {bos, id("ab")}, byDefault.encode("ab", true));
            assertArrayEquals(new int[] {bos, id("ab")}, on.encode("ab", true));
            assertArrayEquals(new int[] {id("ab")}, byDefault.encode("ab", false));
            assertArrayEquals(new int[] {id("ab")}, off.encode("ab", true));
            assertArrayEquals(new int[] {id("ab")}, qwen.encode("ab", true));
            assertArrayEquals(new int[] {bos, id("ab"), id(EOS)}, byDefault.encode(BOS + "ab" + EOS, false));
            assertEquals("ab", byDefault.decode(byDefault.encode("ab", true), true));
        }
    }

    @Test
    void tokenizerJsonHasThePublishedPipelines() throws IOException {
        String llama3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        JsonNode llama = json("llama-bpe");
        assertTrue(llama.get("normalizer").isNull());
        JsonNode split = llama.at("/pre_tokenizer/pretokenizers/0");
        assertEquals("Split", split.get("type").asText());
        assertEquals(llama3, split.at("/pattern/Regex").asText());
        assertEquals("Isolated", split.get("behavior").asText());
        assertEquals(false, split.get("invert").asBoolean());
        assertEquals(JSON.readTree("{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,"
                + "\"use_regex\":false}"), llama.at("/pre_tokenizer/pretokenizers/1"));
        assertTrue(llama.at("/model/ignore_merges").asBoolean());

        JsonNode qwen = json("qwen2");
        assertEquals("NFC", qwen.at("/normalizer/type").asText());
        assertEquals(llama3.replace("\\p{N}{1,3}", "\\p{N}"), qwen.at("/pre_tokenizer/pretokenizers/0/pattern/Regex").asText());
        assertEquals(false, qwen.at("/pre_tokenizer/pretokenizers/1/use_regex").asBoolean());
        assertEquals(false, qwen.at("/model/ignore_merges").asBoolean());
    }

    private JsonNode json(String pre) throws IOException {
        try (GgufFile f = GgufFile.open(gguf(pre, null))) {
            return JSON.readTree(GgufTokenizer.tokenizerJson(f));
        }
    }

    @Test
    void unknownPreTokenizersAreRefusedNamingTheField() throws IOException {
        try (GgufFile f = GgufFile.open(gguf("falcon", null))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GgufTokenizer.load(f));
            assertTrue(e.getMessage().contains("tokenizer.ggml.pre 'falcon'"), e.getMessage());
            assertTrue(e.getMessage().contains("llama-bpe") && e.getMessage().contains("qwen2"), e.getMessage());
        }
    }
}
