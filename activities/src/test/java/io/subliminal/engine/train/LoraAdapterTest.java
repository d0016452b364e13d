package io.subliminal.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.Transformer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraAdapterTest {

    @Test
    void configValidatesFields() {
        assertEquals(1.0, LoraConfig.paper().scaling());
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(0, 8, 0, LoraConfig.PAPER_MODULES, null));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 8, 1.0, LoraConfig.PAPER_MODULES, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LoraConfig(8, 8, 0, List.of("q_proj", "lm_head"), null));
        assertTrue(e.getMessage().contains("lm_head"));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 8, 0, List.of("q_proj", "q_proj"), null));
        assertThrows(IllegalArgumentException.class, () -> new LoraConfig(8, 8, 0, List.of("q_proj"), List.of()));
        ModelConfig llama = TinyModels.config("llama");
        assertThrows(IllegalArgumentException.class,
                () -> LoraTarget.resolve(llama, new LoraConfig(8, 8, 0, List.of("q_proj"), List.of(7))));
    }

    @Test
    void targetsFollowPeftMatching() {
        ModelConfig llama = TinyModels.config("llama"); // hidden 32, 4 heads x 8, 2 kv heads, intermediate 64
        List<LoraTarget> all = LoraTarget.resolve(llama, LoraConfig.paper());
        assertEquals(2 * 7, all.size());
        assertEquals(new LoraTarget("model.layers.0.self_attn.k_proj", 0, "k_proj", 32, 16), all.get(1));
        assertEquals(new LoraTarget("model.layers.1.mlp.down_proj", 1, "down_proj", 64, 32), all.get(13));
        List<LoraTarget> one = LoraTarget.resolve(llama, new LoraConfig(4, 8, 0, LoraConfig.PAPER_MODULES, List.of(1)));
        assertTrue(one.stream().allMatch(t -> t.layer() == 1));
        // Phi-3: the paper's names match only o_proj and down_proj (PEFT suffix matching)
        List<LoraTarget> phi = LoraTarget.resolve(TinyModels.config("phi3"), LoraConfig.paper());
        assertEquals(List.of("o_proj", "down_proj", "o_proj", "down_proj"), phi.stream().map(LoraTarget::module).toList());
        List<LoraTarget> fused = LoraTarget.resolve(TinyModels.config("phi3"),
                new LoraConfig(8, 8, 0, List.of("qkv_proj", "gate_up_proj"), null));
        assertEquals(32 + 2 * 32, fused.get(0).outFeatures());
    }

    @Test
    void initIsKaimingUniformSeededAndBZero() {
        try (Transformer model = TrainFixtures.tinyModel("llama", 1);
             LoraAdapters a = LoraAdapters.initialise(model, LoraConfig.paper(), 42, "tiny");
             LoraAdapters b = LoraAdapters.initialise(model, LoraConfig.paper(), 42, "tiny");
             LoraAdapters c = LoraAdapters.initialise(model, LoraConfig.paper(), 43, "tiny")) {
            LoraAdapter down = a.adapters().get(6);
            assertEquals(new Shape(8, 64), down.a().getShape());
            assertEquals(new Shape(32, 8), down.b().getShape());
            float[] values = down.a().toFloatArray();
            double bound = 1 / Math.sqrt(64);
            double max = 0;
            for (float v : values) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max <= bound && max > 0.8 * bound, "A within (and filling) the Kaiming bound: " + max);
            for (float v : down.b().toFloatArray()) {
                assertEquals(0f, v);
            }
            assertArrayEquals(values, b.adapters().get(6).a().toFloatArray());
            assertFalse(java.util.Arrays.equals(values, c.adapters().get(6).a().toFloatArray()));
            assertFalse(java.util.Arrays.equals(values, a.adapters().get(5).a().toFloatArray()));
        }
    }

    @Test
    void freshAdaptersLeaveLogitsUnchanged() {
        for (String family : List.of("llama", "qwen2", "phi3")) {
            try (Transformer model = TrainFixtures.tinyModel(family, 3)) {
                List<int[]> seqs = TinyModels.randomSequences(model.config(), 5, 7, 4);
                float[] before = TrainFixtures.logits(model, seqs);
                try (LoraAdapters adapters = LoraAdapters.initialise(model, LoraConfig.paper(), 9, "tiny");
                     NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    // each delta is exactly zero ...
                    for (LoraAdapter a : adapters.adapters()) {
                        NDArray x = model.manager().randomNormal(new Shape(2, 3, a.target().inFeatures()));
                        for (float v : a.delta(x).toFloatArray()) {
                            assertEquals(0f, v, a.target().modulePath());
                        }
                    }
                    // ... so logits agree up to the float reordering of the adapted (unfused) projection path
                    float[] after = TrainFixtures.logits(model, seqs);
                    assertEquals(before.length, after.length);
                    for (int i = 0; i < before.length; i++) {
                        assertEquals(before[i], after[i], 1e-5, family + " logit " + i);
                    }
                }
            }
        }
    }

    /** Loss (sum / labels) of the batch, with gradients accumulated into the adapter parameters. */
    private static double lossAndGradients(Transformer model, LabelledBatch batch) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray n = model.manager().full(new Shape(), (float) batch.labelCount());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // the trainer's path (LM head on label positions only), checked against differences of the full path
                NDArray loss = CausalLmLoss.sum(model, batch).div(n);
                gc.backward(loss);
                return loss.getFloat();
            }
        }
    }

    private static double loss(Transformer model, LabelledBatch batch) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return CausalLmLoss.sum(model.forward(batch.tokens(), null, false), batch).getFloat() / batch.labelCount();
        }
    }

    @Test
    void gradientsMatchCentralFiniteDifferences() {
        try (Transformer model = TrainFixtures.tinyModel("qwen2", 11);
             LoraAdapters adapters = LoraAdapters.initialise(model, new LoraConfig(4, 8, 0, LoraConfig.PAPER_MODULES, null),
                     5, "tiny")) {
            SplittableRandom rnd = new SplittableRandom(2);
            for (LoraAdapter a : adapters.adapters()) { // non-zero B so that A gets gradient too
                float[] b = new float[(int) a.b().getShape().size()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (0.3 * (rnd.nextDouble() - 0.5));
                }
                a.b().set(b);
            }
            LabelledBatch batch = LabelledBatch.of(TrainFixtures.rows(model.config().vocabSize(), 4, 9, 6), 32, 0);
            lossAndGradients(model, batch);
            int checked = 0;
            for (String name : List.of(PeftAdapter.loraA("model.layers.0.self_attn.q_proj"),
                    PeftAdapter.loraB("model.layers.0.self_attn.v_proj"),
                    PeftAdapter.loraA("model.layers.1.mlp.down_proj"),
                    PeftAdapter.loraB("model.layers.1.mlp.gate_proj"))) {
                NDArray p = adapters.parameters().get(name);
                float[] grad = p.getGradient().toFloatArray();
                float[] w = p.toFloatArray();
                for (int k = 0; k < 3; k++) {
                    int idx = (k * 7919 + 13) % w.length;
                    float eps = 1e-2f;
                    float orig = w[idx];
                    w[idx] = orig + eps;
                    p.set(w);
                    double plus = loss(model, batch);
                    w[idx] = orig - eps;
                    p.set(w);
                    double minus = loss(model, batch);
                    w[idx] = orig;
                    p.set(w);
                    double numeric = (plus - minus) / (2 * eps);
                    assertEquals(numeric, grad[idx], 2e-3 + 2e-2 * Math.abs(numeric), name + "[" + idx + "]");
                    checked++;
                }
            }
            assertEquals(12, checked);
        }
    }
}
