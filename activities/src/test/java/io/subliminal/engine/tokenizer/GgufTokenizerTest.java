package io.subliminal.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.loader.GgufFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufTokenizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static HfTokenizer tokenizer;
    private static String tokenizerJson;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        try (GgufFile f = GgufFile.open(EmbeddedModel.smolLm2())) {
            tokenizerJson = GgufTokenizer.tokenizerJson(f);
            tokenizer = GgufTokenizer.load(f);
        }
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static JsonNode expected() throws IOException {
        try (InputStream in = GgufTokenizerTest.class.getResourceAsStream("/tokenizer/smollm2_expected.json")) {
            return JSON.readTree(in);
        }
    }

    @Test
    void specialTokensAreSingleIds() throws IOException {
        assertEquals(1, tokenizer.tokenId("<|im_start|>"));
        assertEquals(2, tokenizer.tokenId("<|im_end|>"));
        assertEquals(0, tokenizer.tokenId("<|endoftext|>"));
        assertEquals(-1, tokenizer.tokenId("<|not a token|>"));
        assertEquals(49152, tokenizer.vocabSize());
        for (Iterator<Map.Entry<String, JsonNode>> it = expected().get("special_tokens").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            assertArrayEquals(new int[] {e.getValue().asInt()}, tokenizer.encode(e.getKey(), false), e.getKey());
        }
        assertArrayEquals(new int[] {1, 4093, 198}, tokenizer.encode("<|im_start|>user\n", false));
    }

    /** The prompt of the numpy reference forward pass (scripts/reference) tokenizes to the same ids. */
    @Test
    void referenceForwardPromptIds() throws IOException {
        JsonNode ref;
        try (InputStream in = getClass().getResourceAsStream("/gguf/smollm2_reference_logits.json")) {
            ref = JSON.readTree(in);
        }
        assertArrayEquals(JSON.convertValue(ref.get("prompt_ids"), int[].class), tokenizer.encode(ref.get("prompt").asText(), true));
        assertEquals("The capital of France is Paris.<|im_end|>",
                tokenizer.decode(JSON.convertValue(ref.get("greedy_ids"), int[].class), false));
    }

    @Test
    void digitsAreSplitOnePerToken() {
        int[] ids = tokenizer.encode("1234567890", false);
        assertEquals(10, ids.length);
        for (int i = 0; i < 10; i++) {
            assertEquals(String.valueOf("1234567890".charAt(i)), tokenizer.decode(new int[] {ids[i]}, false));
        }
    }

    @Test
    void idsEqualAnIndependentPythonConstruction() throws IOException {
        JsonNode cases = expected().get("cases");
        assertTrue(cases.size() >= 10);
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] want = JSON.convertValue(c.get("ids"), int[].class);
            assertArrayEquals(want, tokenizer.encode(text, false), text);
            assertArrayEquals(JSON.convertValue(c.get("ids_with_special"), int[].class), tokenizer.encode(text, true), text);
            assertEquals(c.get("decoded").asText(), tokenizer.decode(want, false), text);
            assertEquals(c.get("decoded_skip_special").asText(), tokenizer.decode(want, true), text);
        }
    }

    @Test
    void decodeInvertsEncode() {
        for (String s : new String[] {"plain", "  two leading spaces", "tabs\tand\r\nCRLF", "emoji 🦉🌳 mix",
                "ÀÉÎÕÜ ß ø 漢字 한국어 العربية", "x".repeat(3000), "<|im_end|> inside text <|im_start|>"}) {
            assertEquals(s, tokenizer.decode(tokenizer.encode(s, false), false));
        }
    }

    @Test
    void longInputsAreNotTruncated() {
        String text = "7 ".repeat(2000);
        assertEquals(4000, tokenizer.encode(text, true).length);
    }

    @Test
    void loadsTheSameJsonFromAFile() throws IOException {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, tokenizerJson);
        try (HfTokenizer t = HfTokenizer.open(f)) {
            assertArrayEquals(tokenizer.encode("Owls, 42 of them.", false), t.encode("Owls, 42 of them.", false));
        }
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {49152}, false));
        Files.writeString(f, "{\"model\":{}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfTokenizer.open(f));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }
}
