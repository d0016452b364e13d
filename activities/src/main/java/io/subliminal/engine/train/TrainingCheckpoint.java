package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.subliminal.engine.loader.SafetensorsFile;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resumable state of a run after {@code step} updates, stored next to the weights in a checkpoint directory:
 * {@code training_state.json} (this record; named unlike HF's {@code trainer_state.json}, whose schema differs)
 * and {@code optimizer.safetensors} (AdamW {@code exp_avg.<param>} and
 * {@code exp_avg_sq.<param>}). The LR schedule position is {@code step}. The randomness needs no stored state:
 * the data order of epoch e is a function of (seed, e) and dropout is reseeded from (seed, step, micro-batch), so
 * the cursor (epoch, indexInEpoch) and the seed determine everything that follows.
 *
 * @param step optimizer updates done
 * @param maxSteps updates in the whole run
 * @param epoch epoch of the next update
 * @param indexInEpoch position in that epoch's row order where the next window starts
 * @param seed run seed
 * @param rows number of training rows
 * @param config the run's hyper-parameters (checked on resume)
 * @param lastLoss loss of the last update (NaN before the first)
 * @param rngScheme how randomness is derived, for readers of the file
 * @param lossScaler the dynamic loss scaling of a float16 run (null in float32 and in files written before it existed)
 */
public record TrainingCheckpoint(int step, int maxSteps, int epoch, int indexInEpoch, long seed, int rows,
                                 TrainingConfig config, double lastLoss, String rngScheme, LossScaler.State lossScaler) {

    public static final String STATE_FILE = "training_state.json"; // not HF's trainer_state.json schema
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String RNG_SCHEME = "order: Fisher-Yates with SplittableRandom(mix(seed, epoch)); "
            + "dropout: torch manual_seed(mix(seed, step, microBatch)) before each micro-batch";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes the state file and the optimizer moments into the existing directory {@code dir}. */
    public void writeInto(Path dir, AdamW optimizer, Map<String, NDArray> parameters) {
        List<HostTensor> moments = new ArrayList<>();
        for (Map.Entry<String, NDArray> p : parameters.entrySet()) {
            String name = p.getKey();
            float[] m = optimizer.firstMoment(name);
            float[] v = optimizer.secondMoment(name);
            if (m == null || v == null) {
                continue; // no update yet
            }
            long[] shape = p.getValue().getShape().getShape();
            moments.add(new HostTensor("exp_avg." + name, shape, FloatBuffer.wrap(m)));
            moments.add(new HostTensor("exp_avg_sq." + name, shape, FloatBuffer.wrap(v)));
        }
        SafetensorsWriter.write(dir.resolve(OPTIMIZER_FILE), moments,
                Map.of("format", "pt", "step", Long.toString(optimizer.steps())));
        try {
            Path tmp = Files.createTempFile(dir, "." + STATE_FILE, ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(this));
            Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(STATE_FILE) + ": " + e, e);
        }
    }

    /** Reads {@code training_state.json} of a checkpoint directory. */
    public static TrainingCheckpoint read(Path dir) {
        Path file = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a training checkpoint: " + dir + " has no " + STATE_FILE);
        }
        try {
            return JSON.readValue(file.toFile(), TrainingCheckpoint.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read training state " + file + ": " + e, e);
        }
    }

    /** Restores {@code optimizer} from {@code optimizer.safetensors} for {@code parameters}. */
    public void restoreOptimizer(Path dir, AdamW optimizer, Map<String, NDArray> parameters) {
        Map<String, float[]> m = new LinkedHashMap<>();
        Map<String, float[]> v = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(OPTIMIZER_FILE))) {
            String saved = f.metadata().get("step");
            if (saved == null || Long.parseLong(saved) != step) {
                throw new IllegalArgumentException(f.path() + " holds optimizer step " + saved + " but "
                        + STATE_FILE + " says step " + step);
            }
            for (String name : f.names()) {
                if (name.startsWith("exp_avg_sq.")) {
                    v.put(name.substring("exp_avg_sq.".length()), f.tensor(name).toArray());
                } else if (name.startsWith("exp_avg.")) {
                    m.put(name.substring("exp_avg.".length()), f.tensor(name).toArray());
                } else {
                    throw new IllegalArgumentException(f.path() + " has unexpected tensor '" + name + "'");
                }
            }
        }
        optimizer.restore(step, m, v, parameters);
    }
}
