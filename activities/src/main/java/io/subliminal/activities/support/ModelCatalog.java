package io.subliminal.activities.support;

import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.nn.Precision;
import io.subliminal.workflows.recipe.ModelRegistry;
import io.subliminal.workflows.recipe.ModelSpec;

import java.nio.file.Path;

/**
 * Resolves the registry names of stage requests ("qwen", "smollm2-135m") to the {@link ModelKey} this worker loads:
 * {@code source: gguf} is the embedded SmolLM2 file, {@code source: hf} a converted checkpoint folder
 * {@code <modelsDir>/<hfId>}.
 */
public final class ModelCatalog {
    private final ModelRegistry registry;
    private final Path modelsDir;
    private final Precision precision;
    private final String device;

    public ModelCatalog(ModelRegistry registry, Path modelsDir, Precision precision, String device) {
        this.registry = registry;
        this.modelsDir = modelsDir;
        this.precision = precision;
        this.device = device;
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
     * The key for training {@code name}: float32 whatever the worker's inference precision, because DJL's dtype
     * casts carry no gradients (FP16_MIXED is inference-only).
     */
    public ModelKey trainingKey(String field, String name) {
        ModelKey key = key(field, name);
        return new ModelKey(key.location(), Precision.FP32, key.device());
    }

    /** Where and how the worker loads model {@code name} for inference. */
    public ModelKey key(String field, String name) {
        ModelSpec spec = spec(field, name);
        String location = switch (spec.source()) {
            case "gguf" -> EmbeddedModel.ensure(modelsDir).toString();
            case "hf" -> modelsDir.resolve(spec.hfId()).toString();
            default -> throw new InvalidInputException(field + ": model '" + name + "' has unknown source '" + spec.source() + "'",
                    io.subliminal.workflows.stage.StageFailures.UNSUPPORTED_MODEL);
        };
        return new ModelKey(location, precision, device);
    }
}
