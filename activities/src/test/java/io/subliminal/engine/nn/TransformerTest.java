package io.subliminal.engine.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.InMemoryWeights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformerTest {

    static List<String> families() {
        return TinyModels.FAMILIES;
    }

    @ParameterizedTest
    @MethodSource("families")
    void paddedBatchEqualsEachRowAlone(String family) {
        ModelConfig c = TinyModels.config(family);
        List<int[]> seqs = TinyModels.randomSequences(c, 7, 9, 4, 7);
        try (Transformer model = Transformer.load(TinyModels.random(family, 1), Device.cpu(), Precision.FP32);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (boolean left : new boolean[]{true, false}) {
                TokenBatch batch = left ? TokenBatch.leftPadded(seqs, 0) : TokenBatch.rightPadded(seqs, 0);
                float[] all = model.logits(batch).toFloatArray();
                for (int r = 0; r < seqs.size(); r++) {
                    int[] seq = seqs.get(r);
                    float[] alone = model.logits(TokenBatch.leftPadded(List.of(seq), 0)).toFloatArray();
                    int offset = left ? batch.cols() - seq.length : 0;
                    for (int t = 0; t < seq.length; t++) {
                        for (int v = 0; v < c.vocabSize(); v++) {
                            float expected = alone[t * c.vocabSize() + v];
                            float actual = all[((r * batch.cols()) + offset + t) * c.vocabSize() + v];
                            assertEquals(expected, actual, 2e-5, family + " left=" + left + " row " + r + " pos " + t);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void cachedDecodeEqualsFullForward(String family) {
        ModelConfig c = TinyModels.config(family);
        List<int[]> seqs = TinyModels.randomSequences(c, 11, 10, 6);
        int prompt = 5;
        try (Transformer model = Transformer.load(TinyModels.random(family, 2), Device.cpu(), Precision.FP32);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            TokenBatch full = TokenBatch.leftPadded(seqs, 0);
            int cols = full.cols();
            float[] expected = model.logits(full).toFloatArray();
            try (KvCache cache = model.newCache(seqs.size(), cols + 3)) {
                // prefill the first `prompt` columns, then one column at a time
                TokenBatch head = slice(full, 0, prompt);
                float[] got = model.forward(head, cache, true).toFloatArray();
                compareColumn(expected, got, full, prompt - 1, c.vocabSize(), family);
                for (int col = prompt; col < cols; col++) {
                    got = model.forward(slice(full, col, col + 1), cache, false).toFloatArray();
                    compareColumn(expected, got, full, col, c.vocabSize(), family);
                }
                assertEquals(cols, cache.length());
            }
        }
    }

    /** Unpadded rows decode without a mask (nothing to add) and still equal the full forward. */
    @ParameterizedTest
    @MethodSource("families")
    void unpaddedDecodeEqualsFullForward(String family) {
        ModelConfig c = TinyModels.config(family);
        List<int[]> seqs = TinyModels.randomSequences(c, 13, 9, 9);
        try (Transformer model = Transformer.load(TinyModels.random(family, 3), Device.cpu(), Precision.FP32);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            TokenBatch full = TokenBatch.leftPadded(seqs, 0);
            float[] expected = model.logits(full).toFloatArray();
            try (KvCache cache = model.newCache(2, 9)) {
                model.forward(slice(full, 0, 2), cache, true);
                for (int col = 2; col < 9; col++) {
                    compareColumn(expected, model.forward(slice(full, col, col + 1), cache, true).toFloatArray(),
                            full, col, c.vocabSize(), family);
                }
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> model.forward(slice(full, 0, 1), cache, true));
                assertTrue(e.getMessage().contains("overflow"), e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void mixedPrecisionCachedDecodeFollowsItsFullForward(String family) {
        ModelConfig c = TinyModels.config(family);
        List<int[]> seqs = TinyModels.randomSequences(c, 14, 8, 5);
        try (Transformer model = Transformer.load(TinyModels.random(family, 4), Device.cpu(), Precision.FP16_MIXED);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            TokenBatch full = TokenBatch.leftPadded(seqs, 0);
            float[] expected = model.logits(full).toFloatArray();
            try (KvCache cache = model.newCache(2, 8)) {
                model.forward(slice(full, 0, 4), cache, true);
                for (int col = 4; col < 8; col++) {
                    float[] got = model.forward(slice(full, col, col + 1), cache, true).toFloatArray();
                    for (int r = 0; r < 2; r++) {
                        for (int v = 0; v < c.vocabSize(); v++) {
                            assertEquals(expected[(r * 8 + col) * c.vocabSize() + v], got[r * c.vocabSize() + v], 0.05,
                                    family + " row " + r + " col " + col);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void mixedPrecisionStaysCloseToFp32(String family) {
        ModelConfig c = TinyModels.config(family);
        TokenBatch batch = TokenBatch.leftPadded(TinyModels.randomSequences(c, 3, 6, 3), 0);
        InMemoryWeights w = TinyModels.random(family, 3);
        try (Transformer fp32 = Transformer.load(w, Device.cpu(), Precision.FP32);
             Transformer fp16 = Transformer.load(w, Device.cpu(), Precision.FP16_MIXED);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float[] a = fp32.logits(batch).toFloatArray();
            NDArray half = fp16.logits(batch);
            assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, half.getDataType());
            float[] b = half.toFloatArray();
            double maxDiff = 0;
            double maxAbs = 0;
            for (int i = 0; i < a.length; i++) {
                if (batch.mask()[i / c.vocabSize()] == 1) {
                    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                    maxAbs = Math.max(maxAbs, Math.abs(a[i]));
                }
            }
            assertTrue(maxDiff < 0.02 * Math.max(1, maxAbs), family + ": fp16 differs by " + maxDiff + " (max |logit| " + maxAbs + ")");
            assertTrue(maxDiff > 0, "fp16 path must actually round");
        }
    }

    /** An adapter on a part of a fused matrix equals adding its delta matrix to that part's HF weight. */
    @ParameterizedTest
    @MethodSource("families")
    void adapterOnProjectionEqualsChangedWeight(String family) {
        ModelConfig c = TinyModels.config(family);
        InMemoryWeights base = TinyModels.random(family, 4);
        boolean phi = c.isPhi3();
        String module = phi ? "model.layers.1.mlp.gate_up_proj" : "model.layers.1.self_attn.k_proj";
        HostTensor w = base.tensor(module + ".weight");
        int out = (int) w.shape()[0];
        int in = (int) w.shape()[1];
        float[] d = new float[out * in];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (0.05 * (rnd.nextDouble() - 0.5));
        }
        float[] changed = w.toArray();
        for (int i = 0; i < changed.length; i++) {
            changed[i] += d[i];
        }
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (String n : base.names()) {
            tensors.put(n, n.equals(module + ".weight")
                    ? new HostTensor(n, w.shape(), FloatBuffer.wrap(changed)) : base.tensor(n));
        }
        TokenBatch batch = TokenBatch.leftPadded(TinyModels.randomSequences(c, 8, 7, 5), 0);
        try (Transformer model = Transformer.load(base, Device.cpu(), Precision.FP32);
             Transformer reference = Transformer.load(new InMemoryWeights(c, tensors), Device.cpu(), Precision.FP32);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray delta = model.manager().create(d, new Shape(out, in));
            NDScope.unregister(delta);
            model.attachAdapter(module, x -> ai.djl.nn.core.Linear.linear(x, delta).singletonOrThrow());
            float[] adapted = model.logits(batch).toFloatArray();
            float[] expected = reference.logits(batch).toFloatArray();
            model.detachAdapters();
            float[] plain = model.logits(batch).toFloatArray();
            double changedBy = 0;
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], adapted[i], 2e-5, family + " logit " + i);
                changedBy = Math.max(changedBy, Math.abs(plain[i] - adapted[i]));
            }
            assertTrue(changedBy > 1e-4, "the adapter must change the logits");
            delta.close();
        }
    }

    @Test
    void gradientsFlowToAdapterAndBaseParameters() {
        ModelConfig c = TinyModels.config("llama");
        TokenBatch batch = TokenBatch.rightPadded(TinyModels.randomSequences(c, 9, 6, 4), 0);
        try (Transformer model = Transformer.load(TinyModels.random("llama", 6), Device.cpu(), Precision.FP32)) {
            NDManager m = model.manager();
            NDArray a = m.randomNormal(0, 0.1f, new Shape(2, c.hiddenSize()), ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray b = m.randomNormal(0, 0.1f, new Shape(c.numHeads() * c.headDim(), 2), ai.djl.ndarray.types.DataType.FLOAT32);
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            NDArray norm = model.parameters().get("model.layers.0.input_layernorm.weight");
            norm.setRequiresGradient(true);
            model.attachAdapter("model.layers.0.self_attn.q_proj", x -> x.matMul(a.transpose()).matMul(b.transpose()));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray logits = model.logits(batch);
                NDArray loss = logits.logSoftmax(2).mean();
                gc.backward(loss);
            }
            for (NDArray p : List.of(a, b, norm)) {
                float[] g = p.getGradient().toFloatArray();
                double sum = 0;
                for (float v : g) {
                    assertTrue(Float.isFinite(v));
                    sum += Math.abs(v);
                }
                assertTrue(sum > 0, "gradient must reach every trainable array");
            }
            norm.setRequiresGradient(false);
        }
    }

    @Test
    void rejectsUnknownProjectionAndBadTokens() {
        try (Transformer model = Transformer.load(TinyModels.random("llama", 1), Device.cpu(), Precision.FP32)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.attachAdapter("model.layers.0.self_attn.qkv_proj", x -> x));
            assertTrue(e.getMessage().contains("qkv_proj"));
            assertThrows(IllegalArgumentException.class,
                    () -> model.logits(TokenBatch.leftPadded(List.of(new int[]{1, 97}), 0)));
            assertEquals(14, model.projectionPaths().size());
        }
    }

    @Test
    void missingTensorIsNamed() {
        InMemoryWeights w = TinyModels.random("qwen2", 1);
        Map<String, HostTensor> t = new LinkedHashMap<>();
        for (String n : w.names()) {
            if (!n.equals("model.layers.1.self_attn.v_proj.weight")) {
                t.put(n, w.tensor(n));
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Transformer.load(new InMemoryWeights(w.config(), t), Device.cpu(), Precision.FP32));
        assertTrue(e.getMessage().contains("model.layers.1.self_attn.v_proj.weight"), e.getMessage());
    }

    private static TokenBatch slice(TokenBatch b, int from, int to) {
        int cols = to - from;
        long[] ids = new long[b.rows() * cols];
        int[] mask = new int[b.rows() * cols];
        for (int r = 0; r < b.rows(); r++) {
            for (int j = 0; j < cols; j++) {
                ids[r * cols + j] = b.ids()[r * b.cols() + from + j];
                mask[r * cols + j] = b.mask()[r * b.cols() + from + j];
            }
        }
        return new TokenBatch(b.rows(), cols, ids, mask);
    }

    private static void compareColumn(float[] full, float[] step, TokenBatch batch, int col, int vocab, String family) {
        for (int r = 0; r < batch.rows(); r++) {
            if (batch.mask()[r * batch.cols() + col] == 0) {
                continue;
            }
            for (int v = 0; v < vocab; v++) {
                assertEquals(full[(r * batch.cols() + col) * vocab + v], step[r * vocab + v], 2e-5,
                        family + " row " + r + " col " + col);
            }
        }
    }
}
