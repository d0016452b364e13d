package io.subliminal.engine.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.subliminal.engine.nn.Casts;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.weights.InMemoryWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** float16 LoRA training: differentiable casts, gradients against float32, dynamic loss scaling, resumption. */
class MixedPrecisionTest {

    private static final LoraConfig LORA = new LoraConfig(4, 8, 0.0, LoraConfig.PAPER_MODULES, null);

    /** DJL's toType cuts the graph (its JNI runs under NoGradGuard); Casts.to keeps it, in both directions. */
    @Test
    void castsCarryGradientsWhereToTypeDoesNot() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1.5f, -2f, 3.25f}).duplicate();
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = w.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).sum();
                Exception e = assertThrows(Exception.class, () -> gc.backward(loss));
                assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
            }
            NDArray c = m.create(new float[] {2f, 3f, 4f}).toType(DataType.FLOAT16, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray half = Casts.to(w, DataType.FLOAT16);
                assertEquals(DataType.FLOAT16, half.getDataType());
                NDArray back = Casts.to(half.mul(c), DataType.FLOAT32);
                assertEquals(DataType.FLOAT32, back.getDataType());
                gc.backward(back.mul(back).sum()); // d/dw sum((w c)^2) = 2 w c^2
            }
            assertArrayEquals(new float[] {12f, -36f, 104f}, w.getGradient().toFloatArray(), 1e-3f);
            // outside a graph it is the plain conversion, and a no-op for the same type
            try (NoGrad off = NoGrad.enter()) {
                NDArray x = m.create(new float[] {0.1f});
                assertEquals(DataType.FLOAT16, Casts.to(x, DataType.FLOAT16).getDataType());
                assertTrue(Casts.to(x, DataType.FLOAT32) == x);
            }
        }
    }

    /** The same LoRA gradients from a float16 forward/backward as from float32, to float16 accuracy. */
    @Test
    void float16LoraGradientsMatchFloat32() {
        try (InMemoryWeights w = TinyModels.random("qwen2", 21)) {
            Map<String, float[]> full = gradients(w, Precision.FP32);
            Map<String, float[]> half = gradients(w, Precision.FP16_MIXED);
            assertEquals(full.keySet(), half.keySet());
            double worst = 0;
            for (String name : full.keySet()) {
                float[] a = full.get(name);
                float[] b = half.get(name);
                double diff = 0;
                double norm = 0;
                for (int i = 0; i < a.length; i++) {
                    diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
                    norm += a[i] * (double) a[i];
                }
                assertTrue(norm > 0, name + " has a zero float32 gradient");
                worst = Math.max(worst, Math.sqrt(diff / norm));
            }
            assertTrue(worst < 1e-2, "worst relative gradient error " + worst);
            assertTrue(worst > 0, "float16 gave bit-identical gradients: the float16 path did not run");
        }
    }

    /** Gradients of every LoRA parameter for one batch, with B set non-zero so that A's gradients are too. */
    private static Map<String, float[]> gradients(InMemoryWeights w, Precision precision) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (Transformer model = Transformer.load(w, Device.cpu(), precision);
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 3, "tiny")) {
            List<TrainingRow> rows = TrainFixtures.rows(model.config().vocabSize(), 4, 9, 12, 6);
            Engine.getInstance().setRandomSeed(7);
            try (NoGrad off = NoGrad.enter()) {
                for (LoraAdapter a : adapters.adapters()) {
                    a.b().addi(a.b().getManager().randomNormal(0, 0.05f, a.b().getShape(), DataType.FLOAT32));
                }
            }
            Engine.getInstance().setRandomSeed(1);
            try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                scope.suppressNotUsedWarning();
                gc.backward(CausalLmLoss.sum(model, LabelledBatch.of(rows, 32, 0)));
            }
            adapters.parameters().forEach((name, p) -> out.put(name, p.getGradient().toFloatArray()));
        }
        return out;
    }

    /** A float16 run learns like a float32 run: the same losses to float16 accuracy over a few updates. */
    @Test
    void float16TrainingFollowsFloat32() {
        try (InMemoryWeights w = TinyModels.random("llama", 8)) {
            List<Double> full = losses(w, Precision.FP32);
            List<Double> half = losses(w, Precision.FP16_MIXED);
            assertEquals(full.size(), half.size());
            for (int i = 0; i < full.size(); i++) {
                assertEquals(full.get(i), half.get(i), 2e-3 * Math.abs(full.get(i)), "loss of update " + (i + 1));
            }
            assertTrue(full.get(full.size() - 1) < full.get(0), "training did not lower the loss: " + full);
        }
    }

    private static List<Double> losses(InMemoryWeights w, Precision precision) {
        List<Double> losses = new ArrayList<>();
        try (Transformer model = Transformer.load(w, Device.cpu(), precision);
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 5, "tiny");
             Trainer trainer = new Trainer(model, adapters, new TrainingConfig(6, 3, 1, 1e-2, LrSchedule.Kind.CONSTANT,
                     0, 1.0, 0.0, 32, 5, 0), TrainFixtures.rows(model.config().vocabSize(), 6, 10, 14, 8))) {
            if (precision == Precision.FP16_MIXED) {
                // a random tiny model's gradients overflow float16 at the initial 2^16 (that update would be skipped)
                trainer.lossScaler().restore(new LossScaler.State(256, 0, 0, 0));
            } else {
                assertEquals(null, trainer.lossScaler());
            }
            trainer.train(p -> {
                assertFalse(p.skipped(), "update " + p.step() + " skipped at loss scale " + p.lossScale());
                assertEquals(precision == Precision.FP32 ? 1.0 : 256.0, p.lossScale());
                losses.add(p.loss());
            }, null);
        }
        return losses;
    }

    /**
     * An update whose float16 gradients overflow is skipped: parameters, optimizer and schedule stand still and the
     * scale halves; the next update at a sane scale applies.
     */
    @Test
    void overflowingUpdateIsSkippedAndTheScaleBacksOff() {
        try (InMemoryWeights w = TinyModels.random("llama", 9);
             Transformer model = Transformer.load(w, Device.cpu(), Precision.FP16_MIXED);
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 5, "tiny");
             Trainer trainer = new Trainer(model, adapters, new TrainingConfig(3, 2, 1, 1e-2, LrSchedule.Kind.LINEAR,
                     0, 1.0, 0.0, 32, 5, 0), TrainFixtures.rows(model.config().vocabSize(), 6, 10, 14))) {
            Map<String, float[]> before = values(adapters.parameters());
            trainer.lossScaler().restore(new LossScaler.State(0x1p100, 0, 0, 0)); // 2^100: float16 gradients overflow
            List<TrainingProgress> log = new ArrayList<>();
            trainer.trainUntil(1, log::add, null);
            TrainingProgress skipped = log.get(0);
            assertTrue(skipped.skipped());
            assertFalse(Double.isFinite(skipped.gradNorm()));
            assertTrue(Double.isFinite(skipped.loss()));
            assertEquals(0x1p100, skipped.lossScale());
            assertEquals(0x1p99, trainer.lossScaler().scale());
            assertEquals(1, trainer.lossScaler().skippedSteps());
            assertEquals(0, trainer.optimizer().steps());
            assertEquals(1, trainer.step());
            Map<String, float[]> after = values(adapters.parameters());
            before.forEach((name, v) -> assertArrayEquals(v, after.get(name), name));

            trainer.lossScaler().restore(new LossScaler.State(1024, 0, 1, 0));
            trainer.trainUntil(2, log::add, null);
            TrainingProgress applied = log.get(1);
            assertFalse(applied.skipped());
            assertTrue(Double.isFinite(applied.gradNorm()));
            // the linear schedule stood still: the applied update used the first update's learning rate
            assertEquals(skipped.learningRate(), applied.learningRate());
            assertEquals(1, trainer.optimizer().steps());
            Map<String, float[]> trained = values(adapters.parameters());
            assertTrue(before.keySet().stream().anyMatch(n -> !java.util.Arrays.equals(before.get(n), trained.get(n))));
        }
    }

    /** A float16 run resumed from a checkpoint (loss scaler included) ends bit-identical to an uninterrupted one. */
    @Test
    void resumedFloat16RunIsBitIdentical(@TempDir Path tmp) {
        TrainingConfig config = new TrainingConfig(2, 2, 1, 5e-3, LrSchedule.Kind.LINEAR, 1, 1.0, 0.0, 32, 11, 0);
        Map<String, float[]> straight;
        try (InMemoryWeights w = TinyModels.random("qwen2", 12);
             Transformer model = Transformer.load(w, Device.cpu(), Precision.FP16_MIXED);
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 11, "tiny");
             Trainer trainer = new Trainer(model, adapters, config, TrainFixtures.rows(model.config().vocabSize(), 3, 7, 9, 11, 8))) {
            assertEquals(4, trainer.maxSteps());
            trainer.lossScaler().restore(new LossScaler.State(1024, 0, 0, 0));
            trainer.train(p -> assertFalse(p.skipped()), new Trainer.Checkpointing(tmp, 2));
            straight = values(adapters.parameters());
        }
        assertEquals(new LossScaler.State(1024, 2, 0, 0), TrainingCheckpoint.read(tmp.resolve("checkpoint-2")).lossScaler());
        try (InMemoryWeights w = TinyModels.random("qwen2", 12);
             Transformer model = Transformer.load(w, Device.cpu(), Precision.FP16_MIXED);
             LoraAdapters adapters = LoraAdapters.initialise(model, LORA, 99, "tiny"); // overwritten by the checkpoint
             Trainer trainer = new Trainer(model, adapters, config, TrainFixtures.rows(model.config().vocabSize(), 3, 7, 9, 11, 8))) {
            trainer.resume(tmp.resolve("checkpoint-2"));
            assertEquals(new LossScaler.State(1024, 2, 0, 0), trainer.lossScaler().state());
            trainer.train(p -> { }, null);
            Map<String, float[]> resumed = values(adapters.parameters());
            assertEquals(straight.keySet(), resumed.keySet());
            straight.forEach((name, v) -> assertArrayEquals(v, resumed.get(name), name));
        }
    }

    private static Map<String, float[]> values(Map<String, NDArray> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((name, p) -> out.put(name, p.toFloatArray()));
        return out;
    }
}
