package io.subliminal.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.subliminal.engine.loader.SafetensorsFile;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A LoRA adapter as PEFT saves it: {@code adapter_model.safetensors} with tensors
 * {@code base_model.model.<module path>.lora_A.weight} [r, in] and {@code .lora_B.weight} [out, r] (F32,
 * {@code __metadata__ {"format":"pt"}}) and {@code adapter_config.json} (PEFT 0.16 fields). Loadable with
 * {@code PeftModel.from_pretrained(base, dir)} for the language-model module layout {@code model.layers.i...}.
 *
 * @param config the adapter shape
 * @param baseModelNameOrPath the base model id written to {@code base_model_name_or_path}
 * @param tensors A and B by PEFT name, in write order
 */
public record PeftAdapter(LoraConfig config, String baseModelNameOrPath, Map<String, HostTensor> tensors) {

    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String PREFIX = "base_model.model.";
    /** Text-decoder layers as PEFT names them for a plain causal LM. */
    public static final String TEXT_LAYERS = PREFIX + "model.layers.";
    /**
     * Text-decoder layers as PEFT names them inside transformers' {@code Gemma3ForConditionalGeneration} (the
     * multimodal wrapper that {@code AutoModelForCausalLM} loads for gemma-3-4b-it, PROTOCOL 7.1 Gemma note).
     */
    public static final String MULTIMODAL_TEXT_LAYERS = PREFIX + "model.language_model.layers.";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public PeftAdapter {
        tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** PEFT's name of lora_A of a module. */
    public static String loraA(String modulePath) {
        return PREFIX + modulePath + ".lora_A.weight";
    }

    /** PEFT's name of lora_B of a module. */
    public static String loraB(String modulePath) {
        return PREFIX + modulePath + ".lora_B.weight";
    }

    /** The tensor by PEFT name, or an error naming it. */
    public HostTensor tensor(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("PEFT adapter has no tensor '" + name + "'");
        }
        return t;
    }

    /**
     * This adapter with tensor names for the multimodal Gemma 3 wrapper ({@code model.language_model.layers...}), so
     * that Python's {@code PeftModel.from_pretrained} finds them in {@code Gemma3ForConditionalGeneration}.
     */
    public PeftAdapter forMultimodalGemma3() {
        return renamed(TEXT_LAYERS, MULTIMODAL_TEXT_LAYERS);
    }

    /** This adapter with plain causal-LM tensor names ({@code model.layers...}), whatever the file used. */
    public PeftAdapter forTextModel() {
        return renamed(MULTIMODAL_TEXT_LAYERS, TEXT_LAYERS);
    }

    private PeftAdapter renamed(String from, String to) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (HostTensor t : tensors.values()) {
            String name = t.name().startsWith(from) ? to + t.name().substring(from.length()) : t.name();
            if (out.put(name, new HostTensor(name, t.shape(), t.data())) != null) {
                throw new IllegalArgumentException("PEFT adapter has tensor '" + name + "' under both layer prefixes");
            }
        }
        return new PeftAdapter(config, baseModelNameOrPath, out);
    }

    /** Writes both files into {@code dir}, replacing it atomically. */
    public void write(Path dir) {
        AtomicDirectory.write(dir, this::writeInto);
    }

    /** Writes both files into the existing directory {@code dir} (each file atomically). */
    public void writeInto(Path dir) {
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors.values(), Map.of("format", "pt"));
        writeConfig(dir.resolve(CONFIG_FILE));
    }

    private void writeConfig(Path file) {
        ObjectNode c = JSON.createObjectNode();
        c.putObject("alpha_pattern");
        c.putNull("auto_mapping");
        c.put("base_model_name_or_path", baseModelNameOrPath);
        c.put("bias", "none");
        c.putNull("exclude_modules");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.putNull("layer_replication");
        if (config.layersToTransform() == null) {
            c.putNull("layers_to_transform");
        } else {
            ArrayNode layers = c.putArray("layers_to_transform");
            config.layersToTransform().forEach(layers::add);
        }
        c.putNull("layers_pattern");
        c.putObject("loftq_config");
        if (config.alpha() == Math.rint(config.alpha())) {
            c.put("lora_alpha", (long) config.alpha());
        } else {
            c.put("lora_alpha", config.alpha());
        }
        c.put("lora_bias", false);
        c.put("lora_dropout", config.dropout());
        c.putNull("modules_to_save");
        c.put("peft_type", "LORA");
        c.put("r", config.rank());
        c.putObject("rank_pattern");
        c.putNull("revision");
        ArrayNode targets = c.putArray("target_modules");
        config.targetModules().forEach(targets::add);
        c.put("task_type", "CAUSAL_LM");
        c.put("use_dora", false);
        c.put("use_rslora", false);
        try {
            Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(c));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e, e);
        }
    }

    /** Reads a PEFT LoRA directory; tensors are copied to the heap (the file is closed on return). */
    public static PeftAdapter read(Path dir) {
        Path configFile = dir.resolve(CONFIG_FILE);
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        JsonNode c;
        try {
            c = JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PEFT config " + configFile + ": " + e, e);
        }
        require(c, "peft_type", configFile);
        if (!"LORA".equals(c.get("peft_type").asText())) {
            throw new IllegalArgumentException(configFile + ": field 'peft_type' is " + c.get("peft_type")
                    + ", only LORA is supported");
        }
        for (String off : List.of("use_dora", "use_rslora", "fan_in_fan_out")) {
            if (c.path(off).asBoolean(false)) {
                throw new IllegalArgumentException(configFile + ": field '" + off + "' is true, which is not supported");
            }
        }
        if (c.has("bias") && !"none".equals(c.get("bias").asText())) {
            throw new IllegalArgumentException(configFile + ": field 'bias' is " + c.get("bias") + ", only none is supported");
        }
        require(c, "r", configFile);
        require(c, "target_modules", configFile);
        JsonNode tm = c.get("target_modules");
        if (!tm.isArray()) {
            throw new IllegalArgumentException(configFile + ": field 'target_modules' must be a list of module names, got " + tm);
        }
        List<String> targets = new ArrayList<>();
        tm.forEach(n -> targets.add(n.asText()));
        List<Integer> layers = null;
        JsonNode lt = c.path("layers_to_transform");
        if (lt.isInt()) {
            layers = List.of(lt.asInt());
        } else if (lt.isArray()) {
            layers = new ArrayList<>();
            for (JsonNode n : lt) {
                layers.add(n.asInt());
            }
        } else if (!lt.isMissingNode() && !lt.isNull()) {
            throw new IllegalArgumentException(configFile + ": field 'layers_to_transform' must be null, an int or a list, got " + lt);
        }
        int r = c.get("r").asInt();
        LoraConfig config = new LoraConfig(r, c.path("lora_alpha").asDouble(r), c.path("lora_dropout").asDouble(0.0),
                targets, layers);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(weightsFile)) {
            for (String name : f.names()) {
                HostTensor t = f.tensor(name);
                tensors.put(name, new HostTensor(name, t.shape().clone(), FloatBuffer.wrap(t.toArray())));
            }
        }
        return new PeftAdapter(config, c.path("base_model_name_or_path").asText(null), tensors);
    }

    private static void require(JsonNode c, String field, Path file) {
        if (!c.has(field) || c.get(field).isNull()) {
            throw new IllegalArgumentException(file + ": missing field '" + field + "'");
        }
    }

    @Override
    public String toString() {
        return "PeftAdapter[" + config + ", base=" + baseModelNameOrPath + ", tensors=" + tensors.size() + "]";
    }

    /** Checks that {@code t} has {@code shape}, naming the tensor otherwise. */
    static void checkShape(HostTensor t, long... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("PEFT tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape));
        }
    }
}
