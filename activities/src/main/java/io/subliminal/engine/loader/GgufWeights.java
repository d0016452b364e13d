package io.subliminal.engine.loader;

import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.Weights;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a GGUF file under Hugging Face names and in HF layout, dequantized to float32 per
 * {@link #tensor} call (F32 tensors are zero-copy).
 *
 * <p>Translations: GGUF names to HF names ({@link GgufTensorNames}); GGUF dims reversed ({@code [576, 49152]} in GGUF is
 * HF {@code [49152, 576]}); for the {@code llama} architecture the q_proj/k_proj rows (weights and biases) are put
 * back from llama.cpp's rotary order to HF's ({@link RopePermutation}). The {@link ModelConfig} is built from the
 * {@code <arch>.*} metadata; a file without {@code output.weight} has tied embeddings, and then
 * {@code lm_head.weight} is absent here too (the model reuses {@code model.embed_tokens.weight}).
 *
 * <p>Supported architectures: {@code llama} and {@code qwen2} (q/k/v biases). Others, partial rotary and
 * llama.cpp's precomputed {@code rope_freqs} (Llama 3 rope scaling) are rejected with a clear error.
 */
public final class GgufWeights implements Weights {

    private final GgufFile file;
    private final ModelConfig config;
    private final Map<String, String> hfToGguf;
    private final boolean permutedRope;

    private GgufWeights(GgufFile file, ModelConfig config, Map<String, String> hfToGguf, boolean permutedRope) {
        this.file = file;
        this.config = config;
        this.hfToGguf = hfToGguf;
        this.permutedRope = permutedRope;
    }

    /** Opens a GGUF file; the returned weights own (and close) it. */
    public static GgufWeights open(Path gguf) {
        GgufFile f = GgufFile.open(gguf);
        try {
            return of(f);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Weights over an open GGUF file; closing them closes the file. */
    public static GgufWeights of(GgufFile file) {
        ModelConfig config = config(file);
        Map<String, String> names = new LinkedHashMap<>();
        for (String g : file.tensors().keySet()) {
            String hf = GgufTensorNames.toHf(g);
            if (names.put(hf, g) != null) {
                throw new IllegalArgumentException("GGUF file " + file.path() + ": two tensors map to '" + hf + "'");
            }
        }
        return new GgufWeights(file, config, Collections.unmodifiableMap(names),
                "llama".equals(file.string("general.architecture")));
    }

    /** The decoder's {@link ModelConfig} from GGUF metadata. */
    public static ModelConfig config(GgufFile f) {
        String arch = f.string("general.architecture");
        if (!arch.equals("llama") && !arch.equals("qwen2")) {
            throw new IllegalArgumentException("GGUF file " + f.path() + ": unsupported general.architecture '" + arch
                    + "' (supported: llama, qwen2)");
        }
        if (f.tensors().containsKey("rope_freqs.weight")) {
            throw new IllegalArgumentException("GGUF file " + f.path() + " has rope_freqs.weight (llama.cpp's Llama 3 "
                    + "rope scaling), which this loader does not support; load the Hugging Face checkpoint instead");
        }
        String p = arch + ".";
        int hidden = (int) f.integer(p + "embedding_length");
        int heads = (int) f.integer(p + "attention.head_count");
        int kvHeads = (int) f.integer(p + "attention.head_count_kv", heads);
        int headDim = (int) f.integer(p + "attention.key_length", heads > 0 ? hidden / heads : 0);
        long ropeDim = f.integer(p + "rope.dimension_count", headDim);
        if (ropeDim != headDim) {
            throw new IllegalArgumentException("GGUF file " + f.path() + ": unsupported " + p + "rope.dimension_count "
                    + ropeDim + " != head dim " + headDim + " (partial rotary)");
        }
        ModelConfig.RopeScaling scaling = null;
        if (f.has(p + "rope.scaling.type")) {
            String type = f.string(p + "rope.scaling.type");
            if (type.equals("linear")) {
                scaling = new ModelConfig.RopeScaling("linear", f.real(p + "rope.scaling.factor"), 0, 0, 0);
            } else if (!type.equals("none")) {
                throw new IllegalArgumentException("GGUF file " + f.path() + ": unsupported " + p
                        + "rope.scaling.type '" + type + "'");
            }
        }
        int vocab = f.has(p + "vocab_size") ? (int) f.integer(p + "vocab_size")
                : f.stringList("tokenizer.ggml.tokens").size();
        Integer bos = f.has("tokenizer.ggml.bos_token_id") ? (int) f.integer("tokenizer.ggml.bos_token_id") : null;
        List<Integer> eos = f.has("tokenizer.ggml.eos_token_id")
                ? List.of((int) f.integer("tokenizer.ggml.eos_token_id")) : List.of();
        Integer pad = f.has("tokenizer.ggml.padding_token_id") ? (int) f.integer("tokenizer.ggml.padding_token_id") : null;
        boolean tied = !f.tensors().containsKey("output.weight");
        try {
            return new ModelConfig(arch, vocab, hidden, (int) f.integer(p + "feed_forward_length"),
                    (int) f.integer(p + "block_count"), heads, kvHeads, headDim,
                    f.real(p + "attention.layer_norm_rms_epsilon"), f.real(p + "rope.freq_base", 10000.0), scaling, tied,
                    arch.equals("qwen2"), (int) f.integer(p + "context_length", 2048), "silu", null, null, null, null,
                    null, null, bos, eos, pad);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GGUF file " + f.path() + ": " + e.getMessage(), e);
        }
    }

    /** The underlying file (for its tokenizer metadata). */
    public GgufFile file() {
        return file;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Set<String> names() {
        return hfToGguf.keySet();
    }

    /** The GGUF tensor stored for an HF name. */
    public GgufFile.TensorInfo ggufInfo(String hfName) {
        return file.tensorInfo(ggufName(hfName));
    }

    @Override
    public HostTensor tensor(String name) {
        GgufFile.TensorInfo info = file.tensorInfo(ggufName(name));
        FloatBuffer data = file.floats(info.name());
        if (permutedRope) {
            int heads = name.contains(".self_attn.q_proj.") ? config.numHeads()
                    : name.contains(".self_attn.k_proj.") ? config.numKvHeads() : 0;
            if (heads > 0) {
                int rowLength = name.endsWith(".bias") ? 1 : (int) info.dims()[0];
                data = FloatBuffer.wrap(RopePermutation.unpermute(data, heads, rowLength));
            }
        }
        return new HostTensor(name, info.hfShape(), data);
    }

    private String ggufName(String hfName) {
        String g = hfToGguf.get(hfName);
        if (g == null) {
            String hint = hfName.equals("lm_head.weight") && config.tieWordEmbeddings()
                    ? " (tied embeddings: the model reuses model.embed_tokens.weight)" : "";
            throw new IllegalArgumentException("GGUF file " + file.path() + " has no tensor for '" + hfName + "'" + hint);
        }
        return g;
    }

    @Override
    public void close() {
        file.close();
    }
}
