package io.subliminal.engine.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.weights.InMemoryWeights;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Why training needs a float32 model: DJL's dtype casts cut the autograd graph. */
class MixedPrecisionTest {

    /**
     * The DJL trap behind the FP32-only rule: a cast through float16 has no grad_fn. If a DJL upgrade makes casts
     * differentiable this test fails, and mixed-precision training can be enabled.
     */
    @Test
    void djlDtypeCastIsNotDifferentiable() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1f, 2f}).duplicate();
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(w.mul(w).sum());
            }
            assertArrayEquals(new float[] {2f, 4f}, w.getGradient().toFloatArray());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = w.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).sum();
                Exception e = assertThrows(Exception.class, () -> gc.backward(loss));
                assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
            }
        }
    }

    @Test
    void trainerRejectsMixedPrecisionModels() {
        try (InMemoryWeights w = TinyModels.random("llama", 17);
             Transformer half = Transformer.load(w, Device.cpu(), Precision.FP16_MIXED);
             LoraAdapters adapters = LoraAdapters.initialise(half, LoraConfig.paper(), 2, "tiny")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(half, adapters,
                    TrainFixtures.config(1, 1, 1, 1e-3, LrSchedule.Kind.LINEAR, 1),
                    TrainFixtures.rows(w.config().vocabSize(), 1, 5)));
            assertTrue(e.getMessage().contains("FP32") && e.getMessage().contains("not differentiable"), e.getMessage());
        }
    }
}
