package io.subliminal.engine.loader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Loader buffers (memory-mapped F32, converted direct buffers, heap arrays) become DJL arrays with the same values. */
class HostTensorDjlTest {

    @TempDir
    Path dir;

    private static void assertSameInDjl(HostTensor t) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(t.data().duplicate(), new Shape(t.shape()));
            assertArrayEquals(t.toArray(), a.toFloatArray(), t.name());
        }
    }

    @Test
    void safetensorsAndGgufTensorsConvertToNdArrays() {
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter.write(f, List.of(
                new HostTensor("a", new long[] {2, 3}, FloatBuffer.wrap(new float[] {1, 2, 3, 4, 5, 6})),
                new HostTensor("b", new long[] {3}, FloatBuffer.wrap(new float[] {-1, 0.5f, 7}))));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertSameInDjl(sf.tensor("a"));   // zero-copy mapped view
            assertSameInDjl(sf.tensor("b"));   // mapped view not at the start of the file
        }
        try (GgufWeights w = GgufWeights.open(EmbeddedModel.smolLm2())) {
            assertSameInDjl(w.tensor("model.norm.weight"));                          // mapped F32
            assertSameInDjl(w.tensor("model.layers.0.mlp.up_proj.weight"));          // dequantized direct buffer
            assertSameInDjl(w.tensor("model.layers.0.self_attn.q_proj.weight"));      // unpermuted heap array
        }
    }
}
