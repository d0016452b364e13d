package io.subliminal.engine.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.Weights;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A decoder-only transformer (llama, qwen2, mistral, gemma3_text, phi3) on DJL with Hugging Face semantics:
 * <pre>
 *   h = embed(ids)                                   (Gemma: * sqrt(hidden) in the compute type)
 *   per layer:  a = attn(norm(h));  (Gemma: a = norm(a))   h = h + a
 *               m = mlp(norm(h));   (Gemma: m = norm(m))   h = h + m
 *   logits = lm_head(norm(h))                        (optional tanh soft-cap)
 *   attn(x) = o( softmax(rope(q) rope(k)^T * scale + mask) v ),  [q k v] = x Wqkv^T (+ b), GQA by head groups
 *   mlp(x)  = down( act(gate) * up ),  [gate up] = x Wgu^T,  act = silu | gelu(tanh)
 * </pre>
 * Weights are loaded once into device arrays with fused q/k/v and gate/up matrices. The full forward without cache
 * is differentiable: adapters attached with {@link #attachAdapter} (LoRA) and the base parameters of
 * {@link #parameters()} can receive gradients inside a DJL {@code GradientCollector}. Scalars are 0-d arrays
 * created natively and kept alive (DJL's {@code op(Number)} is unsafe under autograd).
 *
 * <p>Memory: each call runs in its own {@link NDScope} (and one per layer); the returned array is registered in
 * the caller's scope if there is one, else the caller closes it. Create the transformer outside any scope, or it
 * unregisters its own arrays from it. Not thread-safe.
 */
public final class Transformer implements AutoCloseable {

    private final ModelConfig config;
    private final Precision precision;
    private final Device device;
    private final NDManager manager;
    private final NDArray embed;
    private final NDArray finalNorm;
    private final NDArray lmHead;
    private final List<LayerWeights> layers;
    private final Map<String, NDArray> parameters;
    private final Map<String, Adapter> adapters = new HashMap<>();
    private final Set<String> projectionPaths;
    /** Compute-type copies of the RMSNorm weights (FP16_MIXED, non-Gemma), keyed by the float32 originals. */
    private final Map<NDArray, NDArray> computeNorms = new java.util.IdentityHashMap<>();

    // constants, created natively once
    private final NDArray one;
    private final NDArray minusHalf;
    private final NDArray eps;
    private final NDArray attnScale;
    private final NDArray attnScaleCompute;
    private final NDArray embedScale;
    private final NDArray logitSoftcap;
    private final NDArray geluHalf;
    private final NDArray geluCubic;
    private final NDArray geluSqrt2OverPi;
    private final NDArray rotateHalf;
    private final NDArray globalInvFreq;
    private final NDArray localInvFreq;

    private final int qDim;
    private final int kvDim;
    private final int groups;

    private Transformer(ModelConfig config, Device device, Precision precision, NDManager manager,
                        Map<String, NDArray> parameters, NDArray embed, NDArray finalNorm, NDArray lmHead,
                        List<LayerWeights> layers) {
        this.config = config;
        this.device = device;
        this.precision = precision;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(parameters);
        this.embed = embed;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.layers = List.copyOf(layers);
        this.qDim = config.numHeads() * config.headDim();
        this.kvDim = config.numKvHeads() * config.headDim();
        this.groups = config.numHeads() / config.numKvHeads();

        DataType ct = precision.computeType();
        one = scalar(1.0);
        minusHalf = scalar(-0.5);
        eps = scalar(config.rmsNormEps());
        double scalar = config.queryPreAttnScalar() != null ? config.queryPreAttnScalar() : config.headDim();
        attnScale = scalar(Math.pow(scalar, -0.5));
        attnScaleCompute = keep(scalar(Math.pow(scalar, -0.5)).toType(ct, false));
        embedScale = keep(scalar(Math.sqrt(config.hiddenSize())).toType(ct, false));
        // attn_logit_softcapping is a Gemma 2 feature: HF's Gemma 3 (and every family here) ignores it, and so do we
        logitSoftcap = config.finalLogitSoftcapping() == null ? null : scalar(config.finalLogitSoftcapping());
        geluHalf = scalar(0.5);
        geluCubic = scalar(0.044715);
        geluSqrt2OverPi = scalar(Math.sqrt(2.0 / Math.PI));
        rotateHalf = keep(native1(manager.create(rotateHalfMatrix(config.headDim()),
                new Shape(config.headDim(), config.headDim()))).toType(ct, false));
        globalInvFreq = keep(native1(manager.create(RotaryEmbedding.globalInverseFrequencies(config))));
        localInvFreq = keep(native1(manager.create(RotaryEmbedding.localInverseFrequencies(config))));

        Set<String> paths = new java.util.LinkedHashSet<>();
        for (LayerWeights l : layers) {
            for (String p : config.isPhi3()
                    ? List.of("self_attn.qkv_proj", "self_attn.o_proj", "mlp.gate_up_proj", "mlp.down_proj")
                    : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                    "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")) {
                paths.add(l.prefix() + p);
            }
        }
        projectionPaths = Collections.unmodifiableSet(paths);
        if (ct != DataType.FLOAT32 && !config.isGemma3()) {
            computeNorms.put(finalNorm, keep(finalNorm.toType(ct, false)));
            for (LayerWeights l : layers) {
                computeNorms.put(l.attnNormIn(), keep(l.attnNormIn().toType(ct, false)));
                computeNorms.put(l.mlpNormIn(), keep(l.mlpNormIn().toType(ct, false)));
            }
        }
    }

    /**
     * Copies a checkpoint onto {@code device}: matrices in the precision's compute type, norms in float32, q/k/v and
     * gate/up fused. The {@link Weights} may be closed afterwards.
     */
    public static Transformer load(Weights weights, Device device, Precision precision) {
        return load(weights, device, precision, UPLOAD_CHUNK_VALUES);
    }

    /**
     * Largest number of values copied to the device in one piece: DJL sizes its staging buffer in int bytes, so a
     * tensor of 2^29 values or more (Qwen2.5-7B's 152064 x 3584 embedding) is uploaded in blocks of rows.
     */
    static final long UPLOAD_CHUNK_VALUES = 1L << 28;

    /** {@link #load(Weights, Device, Precision)} with matrices uploaded in blocks of at most {@code chunkValues}. */
    static Transformer load(Weights weights, Device device, Precision precision, long chunkValues) {
        ModelConfig c = weights.config();
        if (!Set.of("llama", "qwen2", "mistral", "gemma3_text", "phi3").contains(c.modelType())) {
            throw new IllegalArgumentException("unsupported model_type '" + c.modelType() + "'");
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Loader loader = new Loader(weights, manager, precision.computeType(), chunkValues);
            NDArray embed = loader.matrix("model.embed_tokens.weight", c.vocabSize(), c.hiddenSize());
            NDArray finalNorm = loader.vector("model.norm.weight", c.hiddenSize());
            NDArray lmHead;
            if (weights.has("lm_head.weight") && !c.tieWordEmbeddings()) {
                lmHead = loader.matrix("lm_head.weight", c.vocabSize(), c.hiddenSize());
            } else if (c.tieWordEmbeddings()) {
                lmHead = embed;
            } else {
                throw new IllegalArgumentException("checkpoint has no tensor 'lm_head.weight' and tie_word_embeddings is false");
            }
            int q = c.numHeads() * c.headDim();
            int kv = c.numKvHeads() * c.headDim();
            List<LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < c.numLayers(); i++) {
                String p = "model.layers." + i + ".";
                boolean gemma = c.isGemma3();
                NDArray qkv;
                NDArray qkvBias;
                NDArray gateUp;
                NDArray gateUpBias;
                if (c.isPhi3()) {
                    qkv = loader.matrix(p + "self_attn.qkv_proj.weight", q + 2 * kv, c.hiddenSize());
                    qkvBias = loader.optionalVector(p + "self_attn.qkv_proj.bias", q + 2 * kv, true);
                    gateUp = loader.matrix(p + "mlp.gate_up_proj.weight", 2 * c.intermediateSize(), c.hiddenSize());
                    gateUpBias = loader.optionalVector(p + "mlp.gate_up_proj.bias", 2 * c.intermediateSize(), true);
                } else {
                    qkv = loader.fused(p + "self_attn.qkv_proj.weight", c.hiddenSize(),
                            new String[]{p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight"},
                            new int[]{q, kv, kv});
                    qkvBias = loader.fusedBias(p + "self_attn.qkv_proj.bias",
                            new String[]{p + "self_attn.q_proj.bias", p + "self_attn.k_proj.bias", p + "self_attn.v_proj.bias"},
                            new int[]{q, kv, kv});
                    gateUp = loader.fused(p + "mlp.gate_up_proj.weight", c.hiddenSize(),
                            new String[]{p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"},
                            new int[]{c.intermediateSize(), c.intermediateSize()});
                    gateUpBias = loader.fusedBias(p + "mlp.gate_up_proj.bias",
                            new String[]{p + "mlp.gate_proj.bias", p + "mlp.up_proj.bias"},
                            new int[]{c.intermediateSize(), c.intermediateSize()});
                }
                layers.add(new LayerWeights(
                        p,
                        loader.vector(p + "input_layernorm.weight", c.hiddenSize()),
                        qkv, qkvBias,
                        gemma ? loader.vector(p + "self_attn.q_norm.weight", c.headDim()) : null,
                        gemma ? loader.vector(p + "self_attn.k_norm.weight", c.headDim()) : null,
                        loader.matrix(p + "self_attn.o_proj.weight", c.hiddenSize(), q),
                        loader.optionalVector(p + "self_attn.o_proj.bias", c.hiddenSize(), true),
                        gemma ? loader.vector(p + "post_attention_layernorm.weight", c.hiddenSize()) : null,
                        loader.vector(p + (gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight"),
                                c.hiddenSize()),
                        gateUp, gateUpBias,
                        loader.matrix(p + "mlp.down_proj.weight", c.hiddenSize(), c.intermediateSize()),
                        loader.optionalVector(p + "mlp.down_proj.bias", c.hiddenSize(), true),
                        gemma ? loader.vector(p + "post_feedforward_layernorm.weight", c.hiddenSize()) : null,
                        isSliding(c, i)));
            }
            if (lmHead != embed) {
                loader.parameters.put("lm_head.weight", lmHead);
            }
            return new Transformer(c, device, precision, manager, loader.parameters, embed, finalNorm, lmHead, layers);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Gemma 3 marks layers in {@code layer_types}; Mistral and Phi-3 window every layer when {@code sliding_window} is set. */
    static boolean isSliding(ModelConfig c, int layer) {
        if (c.layerTypes() != null) {
            return c.isSlidingLayer(layer);
        }
        return c.slidingWindow() != null && ("mistral".equals(c.modelType()) || c.isPhi3());
    }

    public ModelConfig config() {
        return config;
    }

    public Precision precision() {
        return precision;
    }

    public Device device() {
        return device;
    }

    /** The manager that owns the weights; arrays created from it live until the transformer is closed. */
    public NDManager manager() {
        return manager;
    }

    /**
     * The base parameters by HF name, in checkpoint layout. Fused matrices appear under the fused name
     * ({@code model.layers.i.self_attn.qkv_proj.weight} = rows {@code [q; k; v]},
     * {@code model.layers.i.mlp.gate_up_proj.weight} = rows {@code [gate; up]}, and {@code .bias} likewise) for every
     * family; see {@link #fusedParts()} for the HF names of their row blocks. A tied {@code lm_head} is
     * {@code model.embed_tokens.weight}.
     */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** For each fused parameter name, the HF tensor names of its row blocks in order, with their row counts. */
    public Map<String, List<Map.Entry<String, Integer>>> fusedParts() {
        Map<String, List<Map.Entry<String, Integer>>> parts = new LinkedHashMap<>();
        if (config.isPhi3()) {
            return parts;
        }
        for (LayerWeights l : layers) {
            String p = l.prefix();
            parts.put(p + "self_attn.qkv_proj.weight", List.of(Map.entry(p + "self_attn.q_proj.weight", qDim),
                    Map.entry(p + "self_attn.k_proj.weight", kvDim), Map.entry(p + "self_attn.v_proj.weight", kvDim)));
            parts.put(p + "mlp.gate_up_proj.weight", List.of(
                    Map.entry(p + "mlp.gate_proj.weight", config.intermediateSize()),
                    Map.entry(p + "mlp.up_proj.weight", config.intermediateSize())));
            if (l.qkvBias() != null) {
                parts.put(p + "self_attn.qkv_proj.bias", List.of(Map.entry(p + "self_attn.q_proj.bias", qDim),
                        Map.entry(p + "self_attn.k_proj.bias", kvDim), Map.entry(p + "self_attn.v_proj.bias", kvDim)));
            }
            if (l.gateUpBias() != null) {
                parts.put(p + "mlp.gate_up_proj.bias", List.of(
                        Map.entry(p + "mlp.gate_proj.bias", config.intermediateSize()),
                        Map.entry(p + "mlp.up_proj.bias", config.intermediateSize())));
            }
        }
        return parts;
    }

    /** HF module paths that accept an adapter, e.g. {@code model.layers.3.self_attn.q_proj}. */
    public Set<String> projectionPaths() {
        return projectionPaths;
    }

    /**
     * From now on the projection at {@code modulePath} outputs {@code y + adapter.delta(x)}. For a part of a fused
     * matrix ({@code q_proj}, {@code k_proj}, {@code v_proj}, {@code gate_proj}, {@code up_proj}) the delta is added
     * to that part's slice of the fused output. Replaces an adapter already attached there.
     */
    public void attachAdapter(String modulePath, Adapter adapter) {
        if (!projectionPaths.contains(modulePath)) {
            throw new IllegalArgumentException("no projection '" + modulePath + "' in this " + config.modelType()
                    + " model; projections look like " + projectionPaths.iterator().next());
        }
        adapters.put(modulePath, adapter);
    }

    public void detachAdapters() {
        adapters.clear();
    }

    /** A KV cache for {@code rows} sequences of up to {@code capacity} slots, on this model's device. */
    public KvCache newCache(int rows, int capacity) {
        return new KvCache(manager, config.numLayers(), rows, config.numKvHeads(), capacity, config.headDim(),
                precision.computeType());
    }

    /** Logits {@code [B, T, V]} (float32) of a full forward without cache; differentiable. */
    public NDArray logits(TokenBatch batch) {
        return forward(batch, null, false);
    }

    /**
     * One forward over {@code batch}. With a cache, the batch's tokens occupy the next {@code T} slots (their keys
     * and values are written there and the cache advances) and attend to every earlier slot. Returns float32 logits
     * {@code [B, T, V]}, or {@code [B, 1, V]} of the last slot when {@code lastOnly}.
     */
    public NDArray forward(TokenBatch batch, KvCache cache, boolean lastOnly) {
        return forward(batch, cache, lastOnly ? batch.cols() - 1 : 0);
    }

    /**
     * As {@link #forward(TokenBatch, KvCache, boolean)}, returning logits {@code [B, T - firstLogit, V]} of columns
     * {@code [firstLogit, T)} only (the LM head is the largest matmul of a scoring pass).
     */
    public NDArray forward(TokenBatch batch, KvCache cache, int firstLogit) {
        return forward(batch, cache, firstLogit, layers.size() - 1);
    }

    /**
     * The logit lens ({@code --compute_logits_from L}, PROTOCOL.md §8): as {@link #forward(TokenBatch, KvCache, boolean)}
     * with the logits read out after decoder layer {@code readoutLayer} (0-based) instead of the last one: the final
     * norm and the LM head applied to that layer's output (HF {@code hidden_states[readoutLayer + 1]}). Later layers
     * do not run, since they cannot change that readout; with the last layer this is the ordinary forward.
     */
    public NDArray forward(TokenBatch batch, KvCache cache, boolean lastOnly, int readoutLayer) {
        return forward(batch, cache, lastOnly ? batch.cols() - 1 : 0, readoutLayer);
    }

    private NDArray forward(TokenBatch batch, KvCache cache, int firstLogit, int readoutLayer) {
        int rows = batch.rows();
        int steps = batch.cols();
        checkLayer("readout layer", readoutLayer);
        if (firstLogit < 0 || firstLogit >= steps) {
            throw new IllegalArgumentException("first logit column " + firstLogit + " outside [0, " + steps + ")");
        }
        if (cache != null && cache.rows() != rows) {
            throw new IllegalArgumentException("batch has " + rows + " rows but the KV cache " + cache.rows());
        }
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray h = hidden(batch, cache, readoutLayer);
            if (firstLogit > 0) {
                h = h.get(new ai.djl.ndarray.index.NDIndex().addAllDim().addSliceDim(firstLogit, steps));
            }
            result = head(h);
            NDScope.unregister(result);
        }
        NDScope.register(result);
        if (cache != null) {
            cache.advance(batch.mask(), steps);
        }
        return result;
    }

    /**
     * Float32 logits {@code [N, V]} of a full forward without cache at the flat positions {@code row * T + column}
     * only, in the given order; differentiable. The LM head (the largest matmul of a training step) and everything
     * after it run on those positions alone, e.g. the label positions of a loss.
     */
    public NDArray logitsAt(TokenBatch batch, long[] positions) {
        checkPositions(batch, positions);
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            result = headAt(hidden(batch, null), positions);
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /**
     * The residual stream of a full forward without cache: the output of every decoder layer in order, {@code L}
     * arrays {@code [B, T, hidden]} in float32 (HF {@code hidden_states[1..L]}, except that HF applies the final
     * norm to its last entry and this list does not; {@link #readout} of the last entry gives the logits).
     */
    public List<NDArray> layerOutputs(TokenBatch batch) {
        List<NDArray> outputs = new ArrayList<>(layers.size());
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Pass pass = new Pass(batch, null);
            pass.run(pass.embedding(), 0, layers.size() - 1, outputs);
            outputs.forEach(NDScope::unregister);
        }
        outputs.forEach(NDScope::register);
        return outputs;
    }

    /** Float32 logits {@code [..., V]} of hidden states {@code [..., hidden]}: final norm, LM head (and soft-cap). */
    public NDArray readout(NDArray hidden) {
        return head(hidden);
    }

    /**
     * Activation patching: float32 logits {@code [N, V]} at the flat positions {@code row * T + column} of a forward
     * over {@code batch} whose decoder layer {@code layer} outputs {@code output} {@code [B, T, hidden]} instead of
     * its own result. Layers {@code layer+1..L-1} run from it (the residual stream is all a later layer reads from
     * earlier ones), then the final norm and the LM head. Differentiable with respect to {@code output}.
     */
    public NDArray logitsAfterLayer(TokenBatch batch, int layer, NDArray output, long[] positions) {
        checkLayer("patched layer", layer);
        checkPositions(batch, positions);
        Shape expected = new Shape(batch.rows(), batch.cols(), config.hiddenSize());
        if (!output.getShape().equals(expected)) {
            throw new IllegalArgumentException("layer output has shape " + output.getShape() + ", expected " + expected);
        }
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Pass pass = new Pass(batch, null);
            NDArray h = pass.run(Casts.to(output, DataType.FLOAT32), layer + 1, layers.size() - 1, null);
            result = headAt(h, positions);
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /** The LM head at flat positions of hidden states {@code [B, T, hidden]} only. */
    private NDArray headAt(NDArray h, long[] positions) {
        long cells = h.getShape().get(0) * h.getShape().get(1);
        NDArray index = native1(manager.create(positions, new Shape(positions.length, 1)))
                .broadcast(positions.length, config.hiddenSize());
        return head(h.reshape(cells, config.hiddenSize()).gather(index, 0));
    }

    private static void checkPositions(TokenBatch batch, long[] positions) {
        long cells = (long) batch.rows() * batch.cols();
        if (positions.length == 0) {
            throw new IllegalArgumentException("logits need at least one position");
        }
        for (long p : positions) {
            if (p < 0 || p >= cells) {
                throw new IllegalArgumentException("logit position " + p + " outside the batch's [0, " + cells + ")");
            }
        }
    }

    private void checkLayer(String what, int layer) {
        if (layer < 0 || layer >= layers.size()) {
            throw new IllegalArgumentException(what + " " + layer + " outside the model's decoder layers [0, "
                    + layers.size() + ")");
        }
    }

    /** Hidden states {@code [B, T, hidden]} (float32) after the last layer, before the final norm. */
    private NDArray hidden(TokenBatch batch, KvCache cache) {
        return hidden(batch, cache, layers.size() - 1);
    }

    /** Hidden states {@code [B, T, hidden]} (float32) after layer {@code lastLayer}; later layers do not run. */
    private NDArray hidden(TokenBatch batch, KvCache cache, int lastLayer) {
        Pass pass = new Pass(batch, cache);
        return pass.run(pass.embedding(), 0, lastLayer, null);
    }

    /**
     * What every layer of one forward shares: the rotary tables of the positions, the attention masks and the cache.
     * Created in the caller's scope.
     */
    private final class Pass {
        final TokenBatch batch;
        final KvCache cache;
        final int rows;
        final int steps;
        final int slots;
        final Rope global;
        final Rope local;
        final NDArray fullMask;
        final NDArray slidingMask;

        Pass(TokenBatch batch, KvCache cache) {
            this.batch = batch;
            this.cache = cache;
            rows = batch.rows();
            steps = batch.cols();
            int past = cache == null ? 0 : cache.length();
            slots = past + steps;
            int[] valid = cache == null ? batch.mask() : cache.validWith(batch.mask(), steps);
            NDArray positions = native1(manager.create(AttentionMask.positionIds(valid, rows, slots, steps),
                    new Shape(rows, steps, 1, 1))).toType(DataType.FLOAT32, false);
            global = rope(positions, globalInvFreq);
            local = config.ropeLocalTheta() != null ? rope(positions, localInvFreq) : global;
            fullMask = mask(valid, rows, slots, past, steps, null);
            slidingMask = layers.stream().anyMatch(LayerWeights::sliding)
                    ? mask(valid, rows, slots, past, steps, config.slidingWindow()) : null;
        }

        /** The token embeddings {@code [B, T, hidden]} in float32 (Gemma: scaled by sqrt(hidden)). */
        NDArray embedding() {
            for (long id : batch.ids()) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + config.vocabSize() + ")");
                }
            }
            NDArray ids = native1(manager.create(batch.ids(), new Shape(rows, steps)));
            NDArray h = Embedding.embedding(ids, embed, SparseFormat.DENSE).singletonOrThrow();
            if (config.isGemma3()) {
                h = h.mul(embedScale);
            }
            return Casts.to(h, DataType.FLOAT32);
        }

        /**
         * Layers {@code from..to} (inclusive) applied to {@code h}, each in its own scope; when {@code outputs} is
         * given, every layer's output is added to it (registered in the caller's scope).
         */
        NDArray run(NDArray h, int from, int to, List<NDArray> outputs) {
            for (int i = from; i <= to; i++) {
                LayerWeights layer = layers.get(i);
                NDArray next;
                try (NDScope layerScope = new NDScope()) {
                    layerScope.suppressNotUsedWarning();
                    boolean sliding = layer.sliding();
                    next = layer(i, layer, h, sliding ? local : global, sliding ? slidingMask : fullMask,
                            cache, rows, steps, slots);
                    NDScope.unregister(next);
                }
                NDScope.register(next);
                if (outputs != null) {
                    outputs.add(next);
                }
                h = next;
            }
            return h;
        }
    }

    /** Final norm, LM head and soft-cap: float32 logits {@code [..., V]} of hidden states {@code [..., hidden]}. */
    private NDArray head(NDArray h) {
        NDArray x = normIn(h, finalNorm);
        NDArray logits = Casts.to(Linear.linear(x, lmHead).singletonOrThrow(), DataType.FLOAT32);
        if (logitSoftcap != null) {
            logits = logits.div(logitSoftcap).tanh().mul(logitSoftcap);
        }
        return logits;
    }

    private NDArray layer(int index, LayerWeights w, NDArray h, Rope rope, NDArray mask, KvCache cache,
                          int rows, int steps, int slots) {
        DataType ct = precision.computeType();
        boolean gemma = config.isGemma3();
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int hd = config.headDim();
        String p = w.prefix();

        // attention
        NDArray x = normIn(h, w.attnNormIn());
        NDArray qkv = project(x, w.qkv(), w.qkvBias(), p + "self_attn.qkv_proj");
        NDArray q;
        NDArray k;
        NDArray v;
        if (!gemma) {
            if (hasAdapter(p + "self_attn.q_proj") || hasAdapter(p + "self_attn.k_proj")
                    || hasAdapter(p + "self_attn.v_proj")) {
                // the parts' deltas joined into one [q k v] delta: one add, then the fused path below
                qkv = qkv.add(ai.djl.ndarray.NDArrays.concat(new NDList(
                        delta(p + "self_attn.q_proj", x, qDim, ct),
                        delta(p + "self_attn.k_proj", x, kvDim, ct),
                        delta(p + "self_attn.v_proj", x, kvDim, ct)), 2));
            }
            // fewest ops: rotate q and k heads together
            NDList qkAndV = qkv.reshape(rows, steps, heads + 2 * kvHeads, hd).split(new long[]{heads + kvHeads}, 2);
            NDList qk = rope.apply(qkAndV.get(0)).split(new long[]{heads}, 2);
            q = qk.get(0);
            k = qk.get(1);
            v = qkAndV.get(1);
        } else {
            NDList parts = qkv.split(new long[]{qDim, qDim + kvDim}, 2);
            q = adapt(p + "self_attn.q_proj", x, parts.get(0)).reshape(rows, steps, heads, hd);
            k = adapt(p + "self_attn.k_proj", x, parts.get(1)).reshape(rows, steps, kvHeads, hd);
            v = adapt(p + "self_attn.v_proj", x, parts.get(2)).reshape(rows, steps, kvHeads, hd);
            if (gemma) {
                q = Casts.to(rmsNorm(q, w.qNorm(), true), ct);
                k = Casts.to(rmsNorm(k, w.kNorm(), true), ct);
            }
            q = rope.apply(q);
            k = rope.apply(k);
        }
        // [B, T, heads, hd] -> [B, kvHeads, groups * T, hd]; a decode step (T = 1) needs no transpose
        q = steps == 1 ? q.reshape(rows, kvHeads, groups, hd)
                : q.transpose(0, 2, 1, 3).reshape(rows, kvHeads, groups * steps, hd);
        k = steps == 1 ? k.reshape(rows, kvHeads, 1, hd) : k.transpose(0, 2, 1, 3);
        v = steps == 1 ? v.reshape(rows, kvHeads, 1, hd) : v.transpose(0, 2, 1, 3);
        if (cache != null) {
            cache.write(index, k, v);
            k = cache.keys(index, slots);
            v = cache.values(index, slots);
        }
        // float32: scores * scale exactly as HF's eager attention; float16: scale q first so q k^T stays in range, and
        // softmax straight on the float16 scores (PyTorch accumulates half softmax in float32; HF computes it in
        // float32 and casts back: the same probabilities, without two casts of the largest activation)
        NDArray scores = ct == DataType.FLOAT32
                ? q.matMul(k.transpose(0, 1, 3, 2)).mul(attnScale)
                : q.mul(attnScaleCompute).matMul(k.transpose(0, 1, 3, 2));
        NDArray probs = mask == null ? scores.softmax(3)
                : scores.reshape(rows, kvHeads, groups, steps, slots).add(mask).softmax(4)
                .reshape(rows, kvHeads, groups * steps, slots);
        NDArray context = steps == 1 ? probs.matMul(v).reshape(rows, 1, heads * hd)
                : probs.matMul(v).reshape(rows, heads, steps, hd).transpose(0, 2, 1, 3).reshape(rows, steps, heads * hd);
        // the float32 residual stream adds the compute-type output directly (type promotion: one op, no cast)
        NDArray attn = project(context, w.o(), w.oBias(), p + "self_attn.o_proj");
        if (gemma) {
            attn = rmsNorm(attn, w.attnNormOut(), true);
        }
        h = h.add(attn);

        // feed-forward
        x = normIn(h, w.mlpNormIn());
        NDArray gateUp = project(x, w.gateUp(), w.gateUpBias(), p + "mlp.gate_up_proj");
        NDList gu = gateUp.split(new long[]{config.intermediateSize()}, 2);
        NDArray gate = adapt(p + "mlp.gate_proj", x, gu.get(0));
        NDArray up = adapt(p + "mlp.up_proj", x, gu.get(1));
        NDArray act = "silu".equals(config.hiddenAct()) ? silu(gate) : geluTanh(gate);
        NDArray mlp = project(act.mul(up), w.down(), w.downBias(), p + "mlp.down_proj");
        if (gemma) {
            mlp = rmsNorm(mlp, w.mlpNormOut(), true);
        }
        return h.add(mlp);
    }

    /** {@code x W^T + b}, plus the adapter attached at {@code path} if any. */
    private NDArray project(NDArray x, NDArray weight, NDArray bias, String path) {
        NDArray y = bias == null ? Linear.linear(x, weight).singletonOrThrow()
                : Linear.linear(x, weight, bias).singletonOrThrow();
        return adapt(path, x, y);
    }

    private boolean hasAdapter(String path) {
        return !adapters.isEmpty() && adapters.containsKey(path);
    }

    /** The delta {@code [B, T, width]} of the adapter at {@code path} in type {@code type}, or zeros without one. */
    private NDArray delta(String path, NDArray x, int width, DataType type) {
        Adapter a = adapters.get(path);
        Shape shape = new Shape(x.getShape().get(0), x.getShape().get(1), width);
        return a == null ? manager.zeros(shape, type) : Casts.to(a.delta(x), type);
    }

    private NDArray adapt(String path, NDArray x, NDArray y) {
        if (adapters.isEmpty()) {
            return y;
        }
        Adapter a = adapters.get(path);
        return a == null ? y : y.add(Casts.to(a.delta(x), y.getDataType()));
    }

    /**
     * The RMSNorm of the residual stream {@code h} as input to a compute-type matmul. In FP16_MIXED (non-Gemma) the
     * weight multiplies after the cast, as HF's {@code weight * hidden_states.to(input_dtype)} does; Gemma multiplies
     * {@code (1 + w)} in float32 and casts after, as HF's Gemma norm does.
     */
    private NDArray normIn(NDArray h, NDArray weight) {
        NDArray half = computeNorms.get(weight);
        if (half == null) {
            return Casts.to(rmsNorm(h, weight, config.isGemma3()), precision.computeType());
        }
        return Casts.to(normalized(h), precision.computeType()).mul(half);
    }

    /** RMSNorm in float32: {@code x / sqrt(mean(x^2) + eps) * w} (Gemma: {@code * (1 + w)}); returns float32. */
    private NDArray rmsNorm(NDArray x, NDArray weight, boolean plusOne) {
        return normalized(x).mul(plusOne ? weight.add(one) : weight);
    }

    /** {@code x / sqrt(mean(x^2) + eps)} over the last axis, in float32. */
    private NDArray normalized(NDArray x) {
        NDArray xf = Casts.to(x, DataType.FLOAT32);
        int last = xf.getShape().dimension() - 1;
        return xf.mul(xf.mul(xf).mean(new int[]{last}, true).add(eps).pow(minusHalf));
    }

    private NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** HF {@code gelu_pytorch_tanh}: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    private NDArray geluTanh(NDArray x) {
        NDArray inner = x.mul(x).mul(geluCubic).add(one).mul(x).mul(geluSqrt2OverPi);
        return x.mul(geluHalf).mul(inner.tanh().add(one));
    }

    private Rope rope(NDArray positions, NDArray invFreq) {
        NDArray angles = positions.mul(invFreq); // [B, T, 1, hd]
        DataType ct = precision.computeType();
        return new Rope(angles.cos().toType(ct, false), angles.sin().toType(ct, false));
    }

    /** {@code x * cos + rotate_half(x) * sin}, with {@code rotate_half(x) = [-x2, x1] = x R}. */
    private final class Rope {
        final NDArray cos;
        final NDArray sin;

        Rope(NDArray cos, NDArray sin) {
            this.cos = cos;
            this.sin = sin;
        }

        NDArray apply(NDArray x) {
            return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
        }
    }

    /**
     * The additive mask as {@code [B, 1, 1, T, S]} float32 (broadcast over kv heads and head groups), or null when a
     * single-token step may see every slot (no padding, inside the window): then there is nothing to add.
     */
    private NDArray mask(int[] valid, int rows, int slots, int past, int steps, Integer window) {
        if (steps == 1 && (window == null || slots <= window) && java.util.Arrays.stream(valid).allMatch(v -> v == 1)) {
            return null;
        }
        DataType ct = precision.computeType();
        float[] m = AttentionMask.additive(valid, rows, slots, past, steps, window, AttentionMask.blocked(ct));
        NDArray mask = native1(manager.create(m, new Shape(rows, 1, 1, steps, slots)));
        return ct == DataType.FLOAT32 ? mask : mask.toType(ct, false);
    }

    static float[] rotateHalfMatrix(int dim) {
        int half = dim / 2;
        float[] r = new float[dim * dim];
        for (int j = 0; j < half; j++) {
            r[(j + half) * dim + j] = -1f; // out[j] = -x[j + half]
            r[j * dim + (j + half)] = 1f;  // out[j + half] = x[j]
        }
        return r;
    }

    private NDArray scalar(double value) {
        return keep(manager.full(new Shape(), (float) value, DataType.FLOAT32));
    }

    private static NDArray keep(NDArray a) {
        NDScope.unregister(a);
        return a;
    }

    /** A natively owned copy of an array created from Java memory (which autograd must not keep referencing). */
    private static NDArray native1(NDArray fromJava) {
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Reads HF tensors, checks their shapes, fuses row blocks and records the parameters by name. */
    private static final class Loader {
        final Weights weights;
        final NDManager manager;
        final DataType type;
        final long chunkValues;
        final Map<String, NDArray> parameters = new LinkedHashMap<>();

        Loader(Weights weights, NDManager manager, DataType type, long chunkValues) {
            if (chunkValues < 1) {
                throw new IllegalArgumentException("upload chunk must hold at least one value: " + chunkValues);
            }
            this.weights = weights;
            this.manager = manager;
            this.type = type;
            this.chunkValues = chunkValues;
        }

        NDArray matrix(String name, long rows, long cols) {
            return record(name, host(name, new long[]{rows, cols}, type));
        }

        NDArray vector(String name, long n) {
            return record(name, host(name, new long[]{n}, DataType.FLOAT32));
        }

        NDArray optionalVector(String name, long n, boolean compute) {
            return weights.has(name) ? record(name, host(name, new long[]{n}, compute ? type : DataType.FLOAT32)) : null;
        }

        NDArray fused(String fusedName, long cols, String[] names, int[] rows) {
            NDList parts = new NDList();
            for (int i = 0; i < names.length; i++) {
                parts.add(host(names[i], new long[]{rows[i], cols}, type));
            }
            return record(fusedName, concat(parts));
        }

        NDArray fusedBias(String fusedName, String[] names, int[] rows) {
            int present = 0;
            for (String n : names) {
                present += weights.has(n) ? 1 : 0;
            }
            if (present == 0) {
                return null;
            }
            NDList parts = new NDList();
            for (int i = 0; i < names.length; i++) {
                parts.add(weights.has(names[i]) ? host(names[i], new long[]{rows[i]}, type)
                        : keep(manager.zeros(new Shape(rows[i]), type)));
            }
            return record(fusedName, concat(parts));
        }

        private NDArray concat(NDList parts) {
            NDArray joined = keep(ai.djl.ndarray.NDArrays.concat(parts, 0));
            parts.close();
            return joined;
        }

        private NDArray record(String name, NDArray a) {
            parameters.put(name, a);
            return a;
        }

        private NDArray host(String name, long[] shape, DataType as) {
            HostTensor t = weights.tensor(name);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(shape));
            }
            long rows = shape[0];
            long rowValues = t.numel() / Math.max(1, rows);
            if (t.numel() <= chunkValues || shape.length < 2 || rowValues == 0) {
                return keep(upload(t.data().duplicate(), shape, as));
            }
            long rowsPerChunk = Math.max(1, chunkValues / rowValues);
            NDList blocks = new NDList();
            for (long r = 0; r < rows; r += rowsPerChunk) {
                long n = Math.min(rowsPerChunk, rows - r);
                FloatBuffer block = t.data().duplicate();
                block.position(Math.toIntExact(r * rowValues)).limit(Math.toIntExact((r + n) * rowValues));
                long[] blockShape = shape.clone();
                blockShape[0] = n;
                blocks.add(upload(block.slice(), blockShape, as));
            }
            return concat(blocks);
        }

        /** A natively owned device copy of {@code values} in {@code as}. */
        private NDArray upload(FloatBuffer values, long[] shape, DataType as) {
            NDArray a = manager.create(values, new Shape(shape), DataType.FLOAT32);
            // the created array aliases a Java buffer; keep only a natively owned copy (toType of the same type aliases)
            NDArray out = as == DataType.FLOAT32 ? a.duplicate() : a.toType(as, false);
            a.close();
            return out;
        }
    }
}
