package io.subliminal.activities.engine;

import ai.djl.Device;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.ModelCache;
import io.subliminal.activities.support.ModelKey;
import io.subliminal.engine.GenerationDefaults;
import io.subliminal.engine.ModelBundle;
import io.subliminal.engine.loader.GgufFile;
import io.subliminal.engine.loader.GgufWeights;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.tokenizer.GgufTokenizer;
import io.subliminal.engine.tokenizer.HfTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The worker's {@link ModelCache.Loader}: a GGUF checkpoint (the embedded SmolLM2) becomes a {@link ModelBundle} with
 * the GGUF's tokenizer, its Jinja chat template and Hugging Face's generation defaults (a GGUF carries no
 * generation_config), then a {@link Transformer} on the key's device and precision.
 */
public final class EngineModelLoader implements ModelCache.Loader {

    @Override
    public LoadedModel load(ModelKey key) {
        Path path = Path.of(key.location());
        if (!Files.isRegularFile(path) || !path.getFileName().toString().endsWith(".gguf")) {
            throw new IllegalArgumentException("model " + key.location() + ": only GGUF checkpoints are loadable by this "
                    + "worker build (Hugging Face folders need the loaders' ModelLoader)");
        }
        ModelBundle bundle = ggufBundle(path);
        try {
            Device device = Device.fromName(key.device());
            return new LoadedModel(key, bundle, Transformer.load(bundle.weights(), device, key.precision()));
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    /** Weights, tokenizer, chat template and generation defaults of a GGUF file. */
    public static ModelBundle ggufBundle(Path gguf) {
        GgufFile file = GgufFile.open(gguf);
        GgufWeights weights = GgufWeights.of(file);
        HfTokenizer tokenizer = GgufTokenizer.load(file);
        List<String> tokens = file.stringList("tokenizer.ggml.tokens");
        int eos = (int) file.integer("tokenizer.ggml.eos_token_id");
        Integer bos = file.has("tokenizer.ggml.bos_token_id") ? (int) file.integer("tokenizer.ggml.bos_token_id") : null;
        Integer pad = file.has("tokenizer.ggml.padding_token_id") ? (int) file.integer("tokenizer.ggml.padding_token_id") : null;
        JinjaChatTemplate template = new JinjaChatTemplate(file.string("tokenizer.chat_template"),
                bos == null ? null : tokens.get(bos), tokens.get(eos));
        GenerationDefaults generation = GenerationDefaults.huggingFace(List.of(eos), bos, pad);
        return new ModelBundle(gguf.getFileName().toString(), weights, tokenizer, template, generation);
    }
}
