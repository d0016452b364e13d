package io.subliminal.engine.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.weights.InMemoryWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Matrices larger than one upload chunk (Qwen2.5-7B's embedding) are copied to the device in blocks of rows. */
class ChunkedUploadTest {

    static List<String> families() {
        return TinyModels.FAMILIES;
    }

    @ParameterizedTest
    @MethodSource("families")
    void blockUploadGivesTheSameModelAsOneUpload(String family) {
        ModelConfig c = TinyModels.config(family);
        InMemoryWeights w = TinyModels.random(family, 11);
        TokenBatch batch = TokenBatch.leftPadded(TinyModels.randomSequences(c, 3, 6, 4), 0);
        // 100 values: every matrix is split, in blocks of 1 to 3 rows, and the last block is short for most of them
        try (Transformer whole = Transformer.load(w, Device.cpu(), Precision.FP32);
             Transformer blocks = Transformer.load(w, Device.cpu(), Precision.FP32, 100);
             NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            assertEquals(whole.parameters().keySet(), blocks.parameters().keySet());
            whole.parameters().forEach((name, a) -> {
                assertEquals(a.getShape(), blocks.parameters().get(name).getShape(), name);
                assertArrayEquals(a.toFloatArray(), blocks.parameters().get(name).toFloatArray(), 0f, name);
            });
            float[] expected = whole.forward(batch, null, false).toFloatArray();
            float[] actual = blocks.forward(batch, null, false).toFloatArray();
            assertArrayEquals(expected, actual, 0f);
            assertTrue(expected.length > 0);
        }
    }

    @Test
    void blockUploadKeepsTheComputeType() {
        InMemoryWeights w = TinyModels.random("qwen2", 12);
        try (Transformer whole = Transformer.load(w, Device.cpu(), Precision.FP16_MIXED);
             Transformer blocks = Transformer.load(w, Device.cpu(), Precision.FP16_MIXED, 64)) {
            whole.parameters().forEach((name, a) -> {
                assertEquals(a.getDataType(), blocks.parameters().get(name).getDataType(), name);
                assertArrayEquals(a.toType(ai.djl.ndarray.types.DataType.FLOAT32, true).toFloatArray(),
                        blocks.parameters().get(name).toType(ai.djl.ndarray.types.DataType.FLOAT32, true)
                                .toFloatArray(), 0f, name);
            });
        }
    }

    @Test
    void aChunkMustHoldAValue() {
        InMemoryWeights w = TinyModels.random("llama", 13);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Transformer.load(w, Device.cpu(), Precision.FP32, 0));
        assertTrue(e.getMessage().contains("upload chunk"), e.getMessage());
    }
}
