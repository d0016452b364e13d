package io.subliminal.activities.support;

import io.subliminal.engine.train.FullWeights;
import io.subliminal.engine.train.LoraAdapters;
import io.subliminal.engine.train.PeftAdapter;
import io.subliminal.workflows.payload.ArtifactRef;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finetuned weights applied to a base model for evaluation. A LoRA archive ({@code adapter_config.json} inside) is
 * attached to the shared model and detached on {@link #close()}; full weights are restored into a private copy of
 * the base model (the shared one must stay untouched), closed with this object. No weights = the base model.
 */
public final class StudentWeights implements AutoCloseable {
    private final LoadedModel model;
    private final LoraAdapters adapters;
    private final boolean privateCopy;

    private StudentWeights(LoadedModel model, LoraAdapters adapters, boolean privateCopy) {
        this.model = model;
        this.adapters = adapters;
        this.privateCopy = privateCopy;
    }

    /**
     * The model to evaluate: {@code base} itself when {@code weights} is null. Call inside {@link LoadedModel#exclusive}
     * of {@code base} (adapters change the shared transformer).
     */
    public static StudentWeights apply(StageEnvironment env, LoadedModel base, ArtifactRef weights, String slot) {
        if (weights == null) {
            return new StudentWeights(base, null, false);
        }
        Path archive = env.store().localCopy(weights, slot);
        Path dir = DirectoryArchive.unpack(archive, archive.resolveSibling(weights.sha256() + ".d"));
        if (Files.isRegularFile(dir.resolve(PeftAdapter.CONFIG_FILE))) {
            LoraAdapters adapters = LoraAdapters.load(base.transformer(), dir);
            adapters.setTraining(false);
            return new StudentWeights(base, adapters, false);
        }
        if (Files.isRegularFile(dir.resolve(FullWeights.WEIGHTS_FILE))) {
            LoadedModel copy = env.models().loadPrivate(base.key());
            new FullWeights(copy.transformer()).restore(dir);
            return new StudentWeights(copy, null, true);
        }
        throw InvalidInputException.artifact(slot, "archive holds neither " + PeftAdapter.CONFIG_FILE + " nor "
                + FullWeights.WEIGHTS_FILE);
    }

    /** The model with the weights applied. */
    public LoadedModel model() {
        return model;
    }

    @Override
    public void close() {
        if (adapters != null) {
            model.transformer().detachAdapters();
            adapters.close();
        }
        if (privateCopy) {
            model.close();
        }
    }
}
