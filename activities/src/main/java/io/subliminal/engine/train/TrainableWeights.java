package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;

import java.nio.file.Path;
import java.util.Map;

/** What a {@link Trainer} optimises: LoRA adapters ({@link LoraAdapters}) or all base weights ({@link FullWeights}). */
public interface TrainableWeights {

    /** The float32 parameters with gradients attached, by stable name, in a fixed order. */
    Map<String, NDArray> parameters();

    /** Writes the weights' files into the existing directory {@code dir}. */
    void save(Path dir);

    /** Replaces the parameter values in place with those saved by {@link #save} in {@code dir}. */
    void restore(Path dir);

    /** Switches training-only behaviour (LoRA dropout) on or off. */
    void setTraining(boolean training);
}
