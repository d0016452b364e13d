package io.subliminal.engine.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.GenerationDefaults;
import io.subliminal.engine.ModelBundle;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.tokenizer.GgufTokenizer;
import io.subliminal.engine.tokenizer.HfTokenizer;
import io.subliminal.engine.tokenizer.JinjaChatTemplate;
import io.subliminal.engine.tokenizer.SpecialTokens;
import io.subliminal.engine.weights.Weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens a checkpoint as a {@link ModelBundle}: a Hugging Face directory or a {@code .gguf} file.
 *
 * <p>HF directory: {@code config.json} ({@link HfConfig}), {@code model.safetensors} or its sharded index
 * ({@link SafetensorsWeights}), {@code tokenizer.json} ({@link HfTokenizer}), the chat template from
 * {@code chat_template.jinja}, else {@code tokenizer_config.json}'s {@code chat_template} (a string, or a list of
 * named templates of which {@code default} is used), else {@code chat_template.json}; special tokens
 * ({@code bos_token}, {@code eos_token}, {@code unk_token}, {@code pad_token}) from {@code tokenizer_config.json} or
 * {@code special_tokens_map.json}; sampling defaults from {@code generation_config.json} when present
 * ({@link HfGenerationConfig}), else HF's defaults. A missing required file is an error naming it.
 *
 * <p>GGUF file: {@link GgufWeights}, {@link GgufTokenizer}, the {@code tokenizer.chat_template} metadata with the
 * special tokens named by {@code tokenizer.ggml.*_token_id}, and HF's generation defaults with the file's ids.
 */
public final class ModelLoader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SPECIAL_TOKENS = List.of("bos_token", "eos_token", "unk_token", "pad_token");

    private ModelLoader() {
    }

    /** Loads with the system clock behind templates' {@code strftime_now}. */
    public static ModelBundle load(Path path) {
        return load(path, Clock.systemDefaultZone());
    }

    public static ModelBundle load(Path path, Clock clock) {
        if (Files.isDirectory(path)) {
            return loadHfDirectory(path, clock);
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().toLowerCase().endsWith(".gguf")) {
            return loadGguf(path, clock);
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("model path " + path + " does not exist");
        }
        throw new IllegalArgumentException("model path " + path
                + " is neither a Hugging Face checkpoint directory nor a .gguf file");
    }

    // ---------------------------------------------------------------- GGUF

    private static ModelBundle loadGguf(Path file, Clock clock) {
        GgufWeights weights = GgufWeights.open(file);
        HfTokenizer tokenizer = null;
        try {
            GgufFile f = weights.file();
            if (!f.has("tokenizer.chat_template")) {
                throw new IllegalArgumentException("GGUF file " + file + " has no tokenizer.chat_template");
            }
            tokenizer = GgufTokenizer.load(f);
            JinjaChatTemplate template = new JinjaChatTemplate(f.string("tokenizer.chat_template"),
                    tokenizer.specialTokens().templateVariables(), clock);
            ModelConfig c = weights.config();
            GenerationDefaults generation = GenerationDefaults.huggingFace(c.eosTokenIds(), c.bosTokenId(), c.padTokenId());
            return new ModelBundle(file.getFileName().toString(), weights, tokenizer, template, generation);
        } catch (RuntimeException e) {
            closeQuietly(tokenizer, weights);
            throw e;
        }
    }

    // ---------------------------------------------------------------- HF directory

    private static ModelBundle loadHfDirectory(Path dir, Clock clock) {
        ModelConfig config = HfConfig.read(required(dir, "config.json"));
        Path tokenizerJson = required(dir, "tokenizer.json");
        JsonNode tokenizerConfig = readJson(dir.resolve("tokenizer_config.json"), false);
        String template = chatTemplate(dir, tokenizerConfig);
        SpecialTokens special = SpecialTokens.of(specialTokens(dir, tokenizerConfig));
        Path genPath = dir.resolve("generation_config.json");
        GenerationDefaults generation = Files.isRegularFile(genPath) ? HfGenerationConfig.read(genPath, config)
                : GenerationDefaults.huggingFace(config.eosTokenIds(), config.bosTokenId(), config.padTokenId());
        JinjaChatTemplate chat = new JinjaChatTemplate(template, special.templateVariables(), clock);
        Weights weights = SafetensorsWeights.open(dir, config);
        HfTokenizer tokenizer = null;
        try {
            tokenizer = HfTokenizer.open(tokenizerJson, special);
            return new ModelBundle(dir.getFileName().toString(), weights, tokenizer, chat, generation);
        } catch (RuntimeException e) {
            closeQuietly(tokenizer, weights);
            throw e;
        }
    }

    private static String chatTemplate(Path dir, JsonNode tokenizerConfig) {
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            try {
                return Files.readString(jinja, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jinja + ": " + e, e);
            }
        }
        if (tokenizerConfig != null && tokenizerConfig.hasNonNull("chat_template")) {
            return templateValue(tokenizerConfig.get("chat_template"), dir.resolve("tokenizer_config.json"));
        }
        JsonNode processor = readJson(dir.resolve("chat_template.json"), false);
        if (processor != null && processor.hasNonNull("chat_template")) {
            return templateValue(processor.get("chat_template"), dir.resolve("chat_template.json"));
        }
        throw new IllegalArgumentException("checkpoint directory " + dir + " has no chat template (looked for "
                + "chat_template.jinja, chat_template in tokenizer_config.json, chat_template.json)");
    }

    /** A template string, or the {@code default} entry of a list of {name, template}. */
    private static String templateValue(JsonNode node, Path file) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode t : node) {
                String name = t.path("name").asText();
                names.add(name);
                if (name.equals("default") && t.path("template").isTextual()) {
                    return t.get("template").asText();
                }
            }
            throw new IllegalArgumentException(file + ": chat_template lists " + names + " but no 'default' template");
        }
        throw new IllegalArgumentException(file + ": chat_template must be a string or a list of named templates");
    }

    private static Map<String, String> specialTokens(Path dir, JsonNode tokenizerConfig) {
        JsonNode map = readJson(dir.resolve("special_tokens_map.json"), false);
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : SPECIAL_TOKENS) {
            String v = tokenText(tokenizerConfig == null ? null : tokenizerConfig.get(name));
            if (v == null) {
                v = tokenText(map == null ? null : map.get(name));
            }
            if (v != null) {
                out.put(name, v);
            }
        }
        return out;
    }

    /** A special token given as a string or as an AddedToken object {@code {"content": ...}}. */
    private static String tokenText(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.path("content").isTextual()) {
            return n.get("content").asText();
        }
        return null;
    }

    private static Path required(Path dir, String name) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("checkpoint directory " + dir + " has no " + name);
        }
        return p;
    }

    private static JsonNode readJson(Path file, boolean required) {
        if (!Files.isRegularFile(file)) {
            if (required) {
                throw new IllegalArgumentException("missing " + file);
            }
            return null;
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(file + " is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r != null) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // the original failure is reported
                }
            }
        }
    }
}
