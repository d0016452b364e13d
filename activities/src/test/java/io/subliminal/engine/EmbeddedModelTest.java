package io.subliminal.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedModelTest {

    @Test
    void embeddedModelIsCachedWithItsPinnedChecksum() throws Exception {
        Path gguf = EmbeddedModel.smolLm2();
        assertTrue(Files.size(gguf) > 90_000_000L, "GGUF too small: " + Files.size(gguf));
        assertEquals(EmbeddedModel.SHA256, EmbeddedModel.sha256(gguf));
        // a second call finds the cached copy
        assertEquals(gguf, EmbeddedModel.smolLm2());
    }

    @Test
    void pytorchEngineRunsOffline() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            assertArrayEquals(new float[] {7, 10, 15, 22}, a.matMul(a).toFloatArray());
            assertEquals("PyTorch", m.getEngine().getEngineName());
        }
    }
}
