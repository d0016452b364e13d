package io.subliminal.activities.engine;

import ai.djl.Device;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.ModelCache;
import io.subliminal.activities.support.ModelKey;
import io.subliminal.engine.ModelBundle;
import io.subliminal.engine.loader.ModelLoader;
import io.subliminal.engine.nn.Transformer;

import java.nio.file.Path;

/**
 * The worker's {@link ModelCache.Loader}: the loaders' {@link ModelLoader} reads the checkpoint (HF folder or GGUF
 * file) into a {@link ModelBundle}, then the {@link Transformer} is built on the key's device and precision.
 */
public final class EngineModelLoader implements ModelCache.Loader {

    @Override
    public LoadedModel load(ModelKey key) {
        ModelBundle bundle = ModelLoader.load(Path.of(key.location()));
        try {
            return new LoadedModel(key, bundle, Transformer.load(bundle.weights(), device(key.device()), key.precision()));
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    /** DJL's device for a worker device name: "cpu", "cuda:N" / "gpuN". */
    public static Device device(String name) {
        if (name.startsWith("cuda:")) {
            return Device.gpu(Integer.parseInt(name.substring("cuda:".length())));
        }
        return Device.fromName(name);
    }
}
