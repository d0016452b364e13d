package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import io.subliminal.engine.loader.SafetensorsFile;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.SafetensorsWriter;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Full finetuning: every base parameter of a float32 {@link Transformer} is trainable. Saved as
 * {@code model.safetensors} in Hugging Face layout (the transformer's fused q/k/v and gate/up matrices are split
 * back into {@code q_proj}, {@code k_proj}, ... row blocks; a tied head is stored once as the embedding).
 */
public final class FullWeights implements TrainableWeights {

    public static final String WEIGHTS_FILE = "model.safetensors";

    private final Transformer model;
    private final Map<String, NDArray> parameters;

    /** Marks every parameter of {@code model} as trainable; the model must be {@link Precision#FP32}. */
    public FullWeights(Transformer model) {
        if (model.precision() != Precision.FP32) {
            throw new IllegalArgumentException("full finetuning needs a float32 model, got " + model.precision());
        }
        this.model = model;
        this.parameters = model.parameters();
        parameters.values().forEach(p -> p.setRequiresGradient(true));
    }

    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    @Override
    public void save(Path dir) {
        Map<String, List<Map.Entry<String, Integer>>> fused = model.fusedParts();
        List<HostTensor> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            float[] values = e.getValue().toFloatArray();
            long[] shape = e.getValue().getShape().getShape();
            List<Map.Entry<String, Integer>> parts = fused.get(e.getKey());
            if (parts == null) {
                out.add(new HostTensor(e.getKey(), shape, FloatBuffer.wrap(values)));
                continue;
            }
            int cols = shape.length == 2 ? (int) shape[1] : 1;
            int offset = 0;
            for (Map.Entry<String, Integer> part : parts) {
                int n = part.getValue() * cols;
                long[] partShape = shape.length == 2 ? new long[] {part.getValue(), cols} : new long[] {part.getValue()};
                out.add(new HostTensor(part.getKey(), partShape, FloatBuffer.wrap(values, offset, n).slice()));
                offset += n;
            }
        }
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), out);
    }

    @Override
    public void restore(Path dir) {
        Map<String, List<Map.Entry<String, Integer>>> fused = model.fusedParts();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(WEIGHTS_FILE))) {
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                NDArray p = e.getValue();
                float[] values = new float[Math.toIntExact(p.getShape().size())];
                List<Map.Entry<String, Integer>> parts = fused.get(e.getKey());
                if (parts == null) {
                    parts = List.of(Map.entry(e.getKey(), (int) p.getShape().get(0)));
                }
                int offset = 0;
                for (Map.Entry<String, Integer> part : parts) {
                    HostTensor t = f.tensor(part.getKey());
                    if (offset + t.numel() > values.length) {
                        throw new IllegalArgumentException("tensor '" + part.getKey() + "' in " + f.path()
                                + " is larger than its part of parameter " + e.getKey() + " " + p.getShape());
                    }
                    t.data().duplicate().get(values, offset, (int) t.numel());
                    offset += (int) t.numel();
                }
                if (offset != values.length) {
                    throw new IllegalArgumentException("tensors for parameter '" + e.getKey() + "' in " + f.path()
                            + " hold " + offset + " values, the parameter " + p.getShape() + " needs " + values.length);
                }
                p.set(values);
            }
        }
    }

    @Override
    public void setTraining(boolean training) {
        // no training-only behaviour in the base model
    }
}
