package io.subliminal.engine.loader;

import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.GenerationDefaults;
import io.subliminal.engine.ModelBundle;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.engine.tokenizer.GgufTokenizer;
import io.subliminal.engine.tokenizer.SpecialTokens;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelLoaderTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-24T18:30:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void loadsTheEmbeddedGguf() {
        try (ModelBundle b = ModelLoader.load(EmbeddedModel.smolLm2(), FIXED)) {
            assertEquals(EmbeddedModel.FILE_NAME, b.id());
            assertEquals(30, b.config().numLayers());
            assertEquals(49152, b.tokenizer().vocabSize());
            assertEquals(GenerationDefaults.huggingFace(List.of(2), 1, 2), b.generation());
            String prompt = b.chatTemplate().render(List.of(ChatMessage.user("What is 12+7?")), true);
            assertEquals("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                    + "<|im_start|>user\nWhat is 12+7?<|im_end|>\n<|im_start|>assistant\n", prompt);
            int[] ids = b.tokenizer().encode(prompt, true);
            assertEquals(1, ids[0]);
            assertArrayEquals(new int[] {1, 520, 9531, 198}, java.util.Arrays.copyOfRange(ids, ids.length - 4, ids.length));
            assertEquals(prompt, b.tokenizer().decode(ids, false));
            assertEquals(576, b.weights().tensor("model.norm.weight").numel());
            assertEquals(new SpecialTokens("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|im_end|>"),
                    b.tokenizer().specialTokens());
            assertEquals(2, b.tokenizer().eosTokenId());
        }
    }

    /** A tiny but complete HF directory: tied llama config, safetensors, SmolLM2's tokenizer.json, template, generation config. */
    private Path hfDirectory() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\",\"vocab_size\":49152,\"hidden_size\":4,"
                + "\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":1,"
                + "\"tie_word_embeddings\":true,\"bos_token_id\":1,\"eos_token_id\":2}");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), List.of(
                new HostTensor("model.norm.weight", new long[] {4}, FloatBuffer.wrap(new float[] {1, 2, 3, 4}))));
        try (GgufFile f = GgufFile.open(EmbeddedModel.smolLm2())) {
            Files.writeString(dir.resolve("tokenizer.json"), GgufTokenizer.tokenizerJson(f));
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\":{\"content\":\"<|im_start|>\",\"special\":true},"
                + "\"eos_token\":\"<|im_end|>\",\"chat_template\":\"{{ bos_token }}{% for m in messages %}{{ m.role }}: "
                + "{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}\"}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"do_sample\":true,\"top_k\":20,\"top_p\":0.8,"
                + "\"repetition_penalty\":1.05,\"eos_token_id\":[2,0]}");
        return dir;
    }

    @Test
    void loadsAnHfDirectory() throws IOException {
        try (ModelBundle b = ModelLoader.load(hfDirectory(), FIXED)) {
            assertEquals(dir.getFileName().toString(), b.id());
            assertEquals(4, b.config().hiddenSize());
            assertArrayEquals(new float[] {1, 2, 3, 4}, b.weights().tensor("model.norm.weight").toArray());
            assertEquals("<|im_start|>user: hi<|im_end|>assistant:", b.chatTemplate().render(List.of(ChatMessage.user("hi")), true));
            assertEquals(new GenerationDefaults(true, 1.0, 20, 0.8, 1.05, List.of(2, 0), 1, null), b.generation());
            assertArrayEquals(new int[] {1}, b.tokenizer().encode("<|im_start|>", false));
            assertEquals(new SpecialTokens("<|im_start|>", "<|im_end|>", null, null), b.tokenizer().specialTokens());
            assertEquals(2, b.tokenizer().eosTokenId());
        }
    }

    @Test
    void chatTemplateSources() throws IOException {
        hfDirectory();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\":[{\"name\":\"tool_use\",\"template\":\"T\"},"
                + "{\"name\":\"default\",\"template\":\"D{{ messages | length }}\"}]}");
        try (ModelBundle b = ModelLoader.load(dir, FIXED)) {
            assertEquals("D1", b.chatTemplate().render(List.of(ChatMessage.user("x")), false));
        }
        Files.writeString(dir.resolve("chat_template.jinja"), "J{{ messages[0].content }}\n");
        try (ModelBundle b = ModelLoader.load(dir, FIXED)) {
            assertEquals("Jx", b.chatTemplate().render(List.of(ChatMessage.user("x")), false));
        }
        Files.delete(dir.resolve("chat_template.jinja"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\":[{\"name\":\"tool_use\",\"template\":\"T\"}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(dir, FIXED));
        assertTrue(e.getMessage().contains("default"), e.getMessage());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(dir, FIXED));
        assertTrue(e.getMessage().contains("chat template"), e.getMessage());
    }

    @Test
    void specialTokensMustBeInTheVocabulary() throws IOException {
        hfDirectory();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\":\"<|not_there|>\",\"chat_template\":\"x\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(dir, FIXED));
        assertTrue(e.getMessage().contains("eos_token") && e.getMessage().contains("<|not_there|>"), e.getMessage());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\":\"x\"}");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"eos_token\":{\"content\":\"<|endoftext|>\"}}");
        try (ModelBundle b = ModelLoader.load(dir, FIXED)) {
            assertEquals(0, b.tokenizer().eosTokenId());
        }
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        hfDirectory();
        Files.delete(dir.resolve("tokenizer.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(dir, FIXED));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        Files.delete(dir.resolve("config.json"));
        e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(dir, FIXED));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(dir.resolve("nope.gguf"), FIXED));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Path txt = Files.writeString(dir.resolve("weights.bin"), "x");
        assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(txt, FIXED));
    }
}
