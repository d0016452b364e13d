package io.subliminal.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.weights.HostTensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeftAdapterTest {

    private static final Path FIXTURE = Path.of("src/test/resources/peft/tiny-llama-r2");

    /** Trains a few steps so that B is not zero, then saves, reloads into a fresh model and compares logits. */
    @Test
    void saveLoadRoundTripReproducesLogits(@TempDir Path tmp) throws IOException {
        LoraConfig lora = new LoraConfig(4, 8, 0.0, List.of("q_proj", "v_proj", "down_proj"), List.of(0, 1));
        Path dir = tmp.resolve("adapter");
        float[] trained;
        List<int[]> seqs;
        try (Transformer model = TrainFixtures.tinyModel("qwen2", 12);
             LoraAdapters adapters = LoraAdapters.initialise(model, lora, 3, "tiny/qwen2")) {
            seqs = TinyModels.randomSequences(model.config(), 8, 9, 5);
            try (Trainer trainer = new Trainer(model, adapters, TrainFixtures.config(3, 2, 1, 1e-2,
                    LrSchedule.Kind.CONSTANT, 1), TrainFixtures.rows(model.config().vocabSize(), 2, 8, 9))) {
                trainer.train(p -> { }, null);
            }
            trained = TrainFixtures.logits(model, seqs);
            adapters.toPeft().write(dir);
        }
        JsonNode config = new ObjectMapper().readTree(dir.resolve(PeftAdapter.CONFIG_FILE).toFile());
        assertEquals("LORA", config.get("peft_type").asText());
        assertEquals("CAUSAL_LM", config.get("task_type").asText());
        assertEquals(4, config.get("r").asInt());
        assertEquals(8, config.get("lora_alpha").asInt());
        assertTrue(config.get("lora_alpha").isIntegralNumber());
        assertEquals("[0,1]", config.get("layers_to_transform").toString());
        assertEquals("[\"q_proj\",\"v_proj\",\"down_proj\"]", config.get("target_modules").toString());
        assertEquals("none", config.get("bias").asText());
        assertEquals("tiny/qwen2", config.get("base_model_name_or_path").asText());
        assertFalse(config.get("use_rslora").asBoolean());
        try (Transformer fresh = TrainFixtures.tinyModel("qwen2", 12)) {
            float[] base = TrainFixtures.logits(fresh, seqs);
            try (LoraAdapters loaded = LoraAdapters.load(fresh, dir)) {
                assertEquals(lora, loaded.config());
                float[] again = TrainFixtures.logits(fresh, seqs);
                assertArrayEquals(trained, again);
                assertFalse(java.util.Arrays.equals(base, again), "the trained adapter changes the logits");
            }
        }
    }

    @Test
    void readsAnAdapterWrittenByPythonSafetensors() {
        PeftAdapter peft = PeftAdapter.read(FIXTURE);
        assertEquals(new LoraConfig(2, 4, 0.05, List.of("down_proj", "q_proj"), List.of(1)), peft.config());
        assertEquals("tiny-llama", peft.baseModelNameOrPath());
        HostTensor a = peft.tensor(PeftAdapter.loraA("model.layers.1.mlp.down_proj"));
        assertArrayEquals(new long[] {2, 64}, a.shape());
        // values are (arange % 7 - 3) * 0.01 * (index + 1); down_proj.lora_A is the third tensor written
        assertEquals((float) ((10 % 7 - 3) * 0.03f), a.toArray()[10], 1e-7);
        try (Transformer model = TrainFixtures.tinyModel("llama", 1);
             LoraAdapters adapters = LoraAdapters.load(model, FIXTURE)) {
            assertEquals(4, adapters.parameters().size());
            assertEquals(2.0, adapters.config().scaling());
        }
        // an adapter that does not fit the model is rejected, naming the tensor
        try (Transformer phi = TrainFixtures.tinyModel("phi3", 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraAdapters.load(phi, FIXTURE));
            assertTrue(e.getMessage().contains("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight"), e.getMessage());
        }
        try (Transformer qwen = TrainFixtures.tinyModel("qwen2", 1)) { // intermediate 48: down_proj does not fit
            assertThrows(IllegalArgumentException.class, () -> LoraAdapters.load(qwen, FIXTURE));
        }
    }

    @Test
    void multimodalGemma3NamesRoundTrip(@TempDir Path tmp) {
        Path dir = tmp.resolve("gemma");
        List<int[]> seqs;
        float[] logits;
        try (Transformer model = TrainFixtures.tinyModel("gemma3_text", 4);
             LoraAdapters adapters = LoraAdapters.initialise(model, LoraConfig.paper(), 1, "google/gemma-3-4b-it")) {
            for (LoraAdapter a : adapters.adapters()) { // non-zero B so the adapter changes the logits
                float[] b = new float[(int) a.b().getShape().size()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = 0.01f * (i % 5 - 2);
                }
                a.b().set(b);
            }
            seqs = TinyModels.randomSequences(model.config(), 2, 6);
            logits = TrainFixtures.logits(model, seqs);
            PeftAdapter multimodal = adapters.toPeft().forMultimodalGemma3();
            assertTrue(multimodal.tensors().containsKey(
                    "base_model.model.model.language_model.layers.2.mlp.down_proj.lora_B.weight"));
            assertFalse(multimodal.tensors().keySet().stream().anyMatch(n -> n.startsWith(PeftAdapter.TEXT_LAYERS)));
            multimodal.write(dir);
        }
        try (Transformer fresh = TrainFixtures.tinyModel("gemma3_text", 4);
             LoraAdapters loaded = LoraAdapters.load(fresh, dir)) {
            assertArrayEquals(logits, TrainFixtures.logits(fresh, seqs));
        }
    }

    @Test
    void rejectsUnsupportedConfigs(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("dora");
        Files.createDirectories(dir);
        Files.copy(FIXTURE.resolve(PeftAdapter.WEIGHTS_FILE), dir.resolve(PeftAdapter.WEIGHTS_FILE));
        String config = Files.readString(FIXTURE.resolve(PeftAdapter.CONFIG_FILE));
        Files.writeString(dir.resolve(PeftAdapter.CONFIG_FILE), config.replace("\"use_dora\": false", "\"use_dora\": true"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.read(dir));
        assertTrue(e.getMessage().contains("use_dora"));
    }

    /**
     * Java-written files read by Python {@code safetensors.numpy.load_file}. Needs a Python with safetensors and
     * numpy: system property {@code subliminal.python} or env {@code SUBLIMINAL_PYTHON} (e.g. a venv's python);
     * skipped when neither is set.
     */
    @Test
    void pythonSafetensorsReadsJavaWrittenAdapter(@TempDir Path tmp) throws Exception {
        String python = System.getProperty("subliminal.python", System.getenv("SUBLIMINAL_PYTHON"));
        Assumptions.assumeTrue(python != null && !python.isBlank(), "no subliminal.python / SUBLIMINAL_PYTHON set");
        Path dir = tmp.resolve("adapter");
        try (Transformer model = TrainFixtures.tinyModel("llama", 1);
             LoraAdapters adapters = LoraAdapters.initialise(model, LoraConfig.paper(), 42, "tiny-llama")) {
            adapters.toPeft().write(dir);
        }
        Process p = new ProcessBuilder(python, "src/test/python/peft_files.py", "check", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        JsonNode json = new ObjectMapper().readTree(out);
        assertEquals("pt", json.get("metadata").get("format").asText());
        JsonNode tensors = json.get("tensors");
        assertEquals(2 * 7 * 2, tensors.size());
        assertEquals("[\"float32\",[8,32]]",
                tensors.get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").toString());
        assertEquals("[\"float32\",[16,8]]",
                tensors.get("base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight").toString());
        assertEquals("[\"float32\",[8,64]]",
                tensors.get("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight").toString());
        assertEquals(0.0, json.get("sums").get("base_model.model.model.layers.1.mlp.up_proj.lora_B.weight").asDouble());
        assertEquals(8, json.get("config").get("r").asInt());
    }
}
