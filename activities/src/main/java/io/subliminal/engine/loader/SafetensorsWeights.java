package io.subliminal.engine.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.Weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face checkpoint directory: {@code model.safetensors}, or shards listed in
 * {@code model.safetensors.index.json} ({@code weight_map: name -> file}). Tensors are read lazily per
 * {@link #tensor} call (see {@link SafetensorsFile}: memory-mapped, F32 zero-copy, F16/BF16 converted).
 *
 * <p>Names are HF decoder names. Multimodal wrappers (Gemma 3) store the decoder under
 * {@code language_model.model.*} / {@code language_model.lm_head.*} (or {@code model.language_model.*}); those are
 * exposed as {@code model.*} / {@code lm_head.*} and the vision tower is left out.
 *
 * <p>Tied embeddings: when the checkpoint has no {@code lm_head.weight} (e.g. {@code tie_word_embeddings}), this
 * class does not fake one; {@code tensor("lm_head.weight")} fails and the model must reuse
 * {@code model.embed_tokens.weight}.
 */
public final class SafetensorsWeights implements Weights {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String[]> WRAPPER_PREFIXES = List.of(
            new String[] {"language_model.model.", "model."},
            new String[] {"language_model.lm_head.", "lm_head."},
            new String[] {"model.language_model.", "model."});

    private final Path dir;
    private final ModelConfig config;
    private final Map<String, Source> byName;
    private final List<SafetensorsFile> files;

    /** Where an exposed HF name is stored. */
    private record Source(SafetensorsFile file, String storedName) {
    }

    private SafetensorsWeights(Path dir, ModelConfig config, Map<String, Source> byName, List<SafetensorsFile> files) {
        this.dir = dir;
        this.config = config;
        this.byName = byName;
        this.files = files;
    }

    /** Opens {@code dir} with its {@code config.json}. */
    public static SafetensorsWeights open(Path dir) {
        Path cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            throw new IllegalArgumentException("checkpoint directory " + dir + " has no config.json");
        }
        return open(dir, HfConfig.read(cfg));
    }

    /** Opens the safetensors of {@code dir} with an already parsed config. */
    public static SafetensorsWeights open(Path dir, ModelConfig config) {
        Path single = dir.resolve(SINGLE_FILE);
        Path index = dir.resolve(INDEX_FILE);
        Map<String, SafetensorsFile> openFiles = new LinkedHashMap<>();
        try {
            Map<String, Source> stored = new LinkedHashMap<>();
            if (Files.isRegularFile(single)) {
                SafetensorsFile f = SafetensorsFile.open(single);
                openFiles.put(SINGLE_FILE, f);
                for (String n : f.names()) {
                    stored.put(n, new Source(f, n));
                }
            } else if (Files.isRegularFile(index)) {
                for (Map.Entry<String, String> e : weightMap(index).entrySet()) {
                    String shard = e.getValue();
                    SafetensorsFile f = openFiles.get(shard);
                    if (f == null) {
                        Path p = dir.resolve(shard).normalize();
                        if (!p.startsWith(dir.normalize()) || !Files.isRegularFile(p)) {
                            throw new IllegalArgumentException(index + " maps tensor '" + e.getKey()
                                    + "' to shard '" + shard + "', which is not a file in " + dir);
                        }
                        f = SafetensorsFile.open(p);
                        openFiles.put(shard, f);
                    }
                    if (!f.has(e.getKey())) {
                        throw new IllegalArgumentException(index + " maps tensor '" + e.getKey() + "' to " + f.path()
                                + ", which has no such tensor");
                    }
                    stored.put(e.getKey(), new Source(f, e.getKey()));
                }
            } else {
                throw new IllegalArgumentException("checkpoint directory " + dir + " has neither " + SINGLE_FILE
                        + " nor " + INDEX_FILE);
            }
            return new SafetensorsWeights(dir, config, Collections.unmodifiableMap(exposeDecoderNames(stored)),
                    List.copyOf(openFiles.values()));
        } catch (RuntimeException e) {
            openFiles.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, String> weightMap(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read safetensors index " + index + ": " + e.getMessage(), e);
        }
        JsonNode wm = root == null ? null : root.get("weight_map");
        if (wm == null || !wm.isObject() || wm.isEmpty()) {
            throw new IllegalArgumentException("safetensors index " + index + " has no 'weight_map' object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = wm.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("safetensors index " + index + ": weight_map entry '" + e.getKey()
                        + "' is not a file name: " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** Strips multimodal wrapper prefixes; when any is present only the decoder's tensors are exposed. */
    private static Map<String, Source> exposeDecoderNames(Map<String, Source> stored) {
        boolean wrapped = stored.keySet().stream()
                .anyMatch(n -> WRAPPER_PREFIXES.stream().anyMatch(p -> n.startsWith(p[0])));
        if (!wrapped) {
            return stored;
        }
        Map<String, Source> out = new LinkedHashMap<>();
        for (Map.Entry<String, Source> e : stored.entrySet()) {
            for (String[] p : WRAPPER_PREFIXES) {
                if (e.getKey().startsWith(p[0])) {
                    String hf = p[1] + e.getKey().substring(p[0].length());
                    if (out.put(hf, e.getValue()) != null) {
                        throw new IllegalArgumentException("two stored tensors map to '" + hf + "'");
                    }
                    break;
                }
            }
        }
        return out;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Set<String> names() {
        return byName.keySet();
    }

    /** Dtype and shape of a tensor as stored, without reading it. */
    public SafetensorsFile.TensorInfo info(String name) {
        return source(name).file().info(source(name).storedName());
    }

    @Override
    public HostTensor tensor(String name) {
        Source s = source(name);
        HostTensor t = s.file().tensor(s.storedName());
        return s.storedName().equals(name) ? t : new HostTensor(name, t.shape(), t.data());
    }

    private Source source(String name) {
        Source s = byName.get(name);
        if (s == null) {
            String hint = name.equals("lm_head.weight") && config != null && config.tieWordEmbeddings()
                    ? " (tie_word_embeddings: the model reuses model.embed_tokens.weight)" : "";
            throw new IllegalArgumentException("checkpoint " + dir + " has no tensor '" + name + "'" + hint);
        }
        return s;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
