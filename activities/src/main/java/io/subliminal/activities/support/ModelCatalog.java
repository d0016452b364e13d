package io.subliminal.activities.support;

import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.nn.Precision;
import io.subliminal.workflows.recipe.ModelRegistry;
import io.subliminal.workflows.recipe.ModelSpec;

import java.nio.file.Path;

/**
 * Resolves the registry names of stage requests ("qwen", "smollm2-135m") to the {@link ModelKey} this worker loads:
 * {@code source: gguf} is the embedded SmolLM2 file, {@code source: hf} a converted checkpoint folder
 * {@code <modelsDir>/<hfId>}, {@code source: s3} the HF checkpoint directory under the entry's {@code uri}, in this
 * host's model cache ({@link S3Checkpoints}: downloaded when the key is first asked for, then read from disk).
 */
public final class ModelCatalog {
    private final ModelRegistry registry;
    private final Path modelsDir;
    private final Precision precision;
    private final String device;
    private final S3Checkpoints s3;

    /** A catalog without S3 models: a {@code source: s3} entry fails retryably (fix the worker, not the request). */
    public ModelCatalog(ModelRegistry registry, Path modelsDir, Precision precision, String device) {
        this(registry, modelsDir, precision, device, null);
    }

    /** A catalog whose {@code source: s3} entries come through {@code s3}. */
    public ModelCatalog(ModelRegistry registry, Path modelsDir, Precision precision, String device, S3Checkpoints s3) {
        this.registry = registry;
        this.modelsDir = modelsDir;
        this.precision = precision;
        this.device = device;
        this.s3 = s3;
    }

    /** The registry entry, or a non-retryable failure naming the field and the known names. */
    public ModelSpec spec(String field, String name) {
        ModelSpec spec = registry.find(name);
        if (spec == null) {
            throw new InvalidInputException(field + ": unknown model '" + name + "'; known: " + registry.names(),
                    io.subliminal.workflows.stage.StageFailures.UNSUPPORTED_MODEL);
        }
        return spec;
    }

    /**
     * The key for training {@code name}: LoRA trains on the worker's own model (float16 with float32 parameters and
     * loss scaling on a GPU, so training and sampling share one copy); full finetuning updates the base weights and
     * needs them in float32.
     */
    public ModelKey trainingKey(String field, String name, boolean lora) {
        ModelKey key = key(field, name);
        return lora ? key : new ModelKey(key.location(), Precision.FP32, key.device());
    }

    /**
     * Where and how the worker loads model {@code name} for inference; for an S3 model this downloads it into the
     * host's model cache on a miss.
     */
    public ModelKey key(String field, String name) {
        ModelSpec spec = spec(field, name);
        String location = switch (spec.source()) {
            case "gguf" -> EmbeddedModel.ensure(modelsDir).toString();
            case "hf" -> modelsDir.resolve(spec.hfId()).toString();
            case "s3" -> {
                if (s3 == null) {
                    throw new IllegalStateException(field + ": model '" + name + "' is read from " + spec.uri()
                            + " but this worker has no S3 model cache");
                }
                yield s3.directory(field, spec).toString();
            }
            default -> throw new InvalidInputException(field + ": model '" + name + "' has unknown source '" + spec.source() + "'",
                    io.subliminal.workflows.stage.StageFailures.UNSUPPORTED_MODEL);
        };
        return new ModelKey(location, precision, device);
    }
}
