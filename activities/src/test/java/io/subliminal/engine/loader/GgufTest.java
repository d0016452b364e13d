package io.subliminal.engine.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.weights.HostTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static GgufWeights smol;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        smol = GgufWeights.open(EmbeddedModel.smolLm2());
    }

    @AfterAll
    static void close() {
        smol.close();
    }

    static JsonNode resource(String name) throws IOException {
        try (InputStream in = GgufTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return JSON.readTree(in);
        }
    }

    @Test
    void smolLm2ConfigFromMetadata() {
        ModelConfig c = smol.config();
        assertEquals("llama", c.modelType());
        assertEquals(30, c.numLayers());
        assertEquals(576, c.hiddenSize());
        assertEquals(1536, c.intermediateSize());
        assertEquals(9, c.numHeads());
        assertEquals(3, c.numKvHeads());
        assertEquals(64, c.headDim());
        assertEquals(49152, c.vocabSize());
        assertEquals(100000.0, c.ropeTheta());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(8192, c.maxPositionEmbeddings());
        assertTrue(c.tieWordEmbeddings());
        assertFalse(c.attentionBias());
        assertEquals(1, c.bosTokenId());
        assertEquals(List.of(2), c.eosTokenIds());
        assertEquals(2, c.padTokenId());
    }

    @Test
    void smolLm2FileStructure() {
        GgufFile f = smol.file();
        assertEquals(3, f.version());
        assertEquals(32, f.alignment());
        Map<GgmlType, Long> byType = f.tensors().values().stream()
                .collect(Collectors.groupingBy(GgufFile.TensorInfo::type, Collectors.counting()));
        assertEquals(Map.of(GgmlType.Q4_1, 210L, GgmlType.F32, 61L, GgmlType.Q8_0, 1L), byType);
        assertEquals("gpt2", f.string("tokenizer.ggml.model"));
        assertEquals("smollm", f.string("tokenizer.ggml.pre"));
        assertEquals(49152, f.stringList("tokenizer.ggml.tokens").size());
        assertEquals(49152, f.intArray("tokenizer.ggml.token_type").length);
        assertEquals(48900, f.stringList("tokenizer.ggml.merges").size());
        assertEquals(1, f.integer("tokenizer.ggml.bos_token_id"));
        assertEquals(2, f.integer("tokenizer.ggml.eos_token_id"));
        assertEquals(2, f.integer("tokenizer.ggml.padding_token_id"));
        assertTrue(f.string("tokenizer.chat_template").contains("<|im_start|>"));
        assertEquals(List.of("en"), f.metadata().get("general.languages"));

        assertEquals(272, smol.names().size());
        assertTrue(smol.has("model.embed_tokens.weight"));
        assertTrue(smol.has("model.layers.29.mlp.down_proj.weight"));
        assertTrue(smol.has("model.layers.0.post_attention_layernorm.weight"));
        assertTrue(smol.has("model.norm.weight"));
        assertFalse(smol.has("lm_head.weight"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> smol.tensor("lm_head.weight"));
        assertTrue(e.getMessage().contains("tied"), e.getMessage());
        assertArrayEquals(new long[] {49152, 576}, smol.ggufInfo("model.embed_tokens.weight").hfShape());
    }

    @Test
    void dequantizedTensorsMatchTheGgufPythonPackage() throws IOException {
        Map<String, String> hfNames = Map.of(
                "token_embd.weight", "model.embed_tokens.weight",
                "blk.0.attn_q.weight", "model.layers.0.self_attn.q_proj.weight",
                "blk.0.attn_k.weight", "model.layers.0.self_attn.k_proj.weight",
                "blk.7.ffn_down.weight", "model.layers.7.mlp.down_proj.weight",
                "blk.0.attn_norm.weight", "model.layers.0.input_layernorm.weight",
                "output_norm.weight", "model.norm.weight",
                "blk.29.attn_v.weight", "model.layers.29.self_attn.v_proj.weight");
        JsonNode expected = resource("/gguf/smollm2_tensors.json");
        assertEquals(hfNames.size(), expected.size());
        for (JsonNode e : expected) {
            String hf = hfNames.get(e.get("name").asText());
            HostTensor t = smol.tensor(hf);
            assertEquals(hf, t.name());
            assertEquals(e.get("type").asText(), smol.ggufInfo(hf).type().name());
            long[] shape = JSON.convertValue(e.get("hf_shape"), long[].class);
            assertArrayEquals(shape, t.shape(), hf);
            float[] v = t.toArray();
            float[] first = JSON.convertValue(e.get("first"), float[].class);
            assertArrayEquals(first, java.util.Arrays.copyOf(v, first.length), hf);
            float[] row1 = JSON.convertValue(e.get("row1_first"), float[].class);
            if (row1.length > 0) {
                int cols = (int) shape[1];
                assertArrayEquals(row1, java.util.Arrays.copyOfRange(v, cols, cols + row1.length), hf + " row 1");
            }
            double sum = 0;
            double sumSq = 0;
            for (float x : v) {
                sum += x;
                sumSq += (double) x * x;
            }
            assertEquals(e.get("sum").asDouble(), sum, 1e-9 * Math.max(1, Math.abs(sumSq)), hf + " sum");
            assertEquals(e.get("sum_sq").asDouble(), sumSq, 1e-9 * sumSq, hf + " sum of squares");
        }
    }

    @Test
    void everyTensorDequantizesToItsShape() {
        for (String name : List.of("model.layers.3.mlp.gate_proj.weight", "model.layers.3.self_attn.o_proj.weight",
                "model.layers.3.post_attention_layernorm.weight")) {
            HostTensor t = smol.tensor(name);
            long n = 1;
            for (long d : t.shape()) {
                n *= d;
            }
            assertEquals(n, t.numel());
            for (float x : t.toArray()) {
                assertTrue(Float.isFinite(x), name);
            }
        }
    }

    @Test
    void blockFormatsMatchGgmlReferenceBitForBit() throws IOException {
        JsonNode cases = resource("/gguf/dequant_blocks.json");
        int checked = 0;
        for (JsonNode c : cases) {
            GgmlType type = GgmlType.valueOf(c.get("type").asText());
            byte[] raw = HexFormat.of().parseHex(c.get("hex").asText());
            int numel = c.get("numel").asInt();
            FloatBuffer out = FloatBuffer.allocate(numel);
            GgmlDequantizer.dequantize(type, ByteBuffer.wrap(raw), out, numel);
            assertEquals(numel, out.position(), type.name());
            JsonNode bits = c.get("bits");
            for (int i = 0; i < numel; i++) {
                int want = (int) bits.get(i).asLong();
                int have = Float.floatToRawIntBits(out.get(i));
                if (want != have) {
                    throw new AssertionError(type + " element " + i + ": expected " + Float.intBitsToFloat(want)
                            + " got " + out.get(i));
                }
            }
            checked++;
        }
        assertEquals(10, checked);
        assertThrows(IllegalArgumentException.class,
                () -> GgmlDequantizer.dequantize(GgmlType.Q4_0, ByteBuffer.allocate(17), FloatBuffer.allocate(32), 32));
    }

    @Test
    void ropePermutationRoundTripsAndMatchesTheConverter() {
        int heads = 3;
        int headDim = 4;
        int cols = 2;
        float[] hf = new float[heads * headDim * cols];
        for (int i = 0; i < hf.length; i++) {
            hf[i] = i;
        }
        float[] gguf = RopePermutation.permute(FloatBuffer.wrap(hf), heads, cols);
        // converter: reshape(3, 2, 2, 2).swapaxes(1, 2): head 0 rows become [0, 2, 1, 3]
        assertArrayEquals(new float[] {0, 1, 4, 5, 2, 3, 6, 7}, java.util.Arrays.copyOf(gguf, 8));
        assertArrayEquals(hf, RopePermutation.unpermute(FloatBuffer.wrap(gguf), heads, cols));
        float[] bias = {0, 1, 2, 3, 4, 5, 6, 7};
        assertArrayEquals(new float[] {0, 4, 1, 5, 2, 6, 3, 7}, RopePermutation.permute(FloatBuffer.wrap(bias), 1, 1));
        assertArrayEquals(bias, RopePermutation.unpermute(FloatBuffer.wrap(RopePermutation.permute(FloatBuffer.wrap(bias), 2, 1)), 2, 1));
        assertThrows(IllegalArgumentException.class, () -> RopePermutation.unpermute(FloatBuffer.wrap(new float[6]), 2, 1));
    }

    private GgufTestFile tinyQwen2() {
        return new GgufTestFile()
                .str("general.architecture", "qwen2")
                .u32("qwen2.block_count", 1).u32("qwen2.embedding_length", 4).u32("qwen2.feed_forward_length", 8)
                .u32("qwen2.attention.head_count", 2).u32("qwen2.attention.head_count_kv", 1)
                .u32("qwen2.context_length", 64).f32("qwen2.rope.freq_base", 1_000_000f)
                .f32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f)
                .strings("tokenizer.ggml.tokens", List.of("a", "b", "c"))
                .u32("tokenizer.ggml.eos_token_id", 2)
                .raw("test.i8", 1, new byte[] {-3})
                .raw("test.u16", 2, new byte[] {(byte) 0xff, (byte) 0xff})
                .raw("test.i64", 11, GgufTestFile.i64(-5_000_000_000L))
                .raw("test.f64", 12, java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putDouble(0.25).array())
                .bool("test.flag", true)
                .ints("test.ints", new int[] {7, -1})
                .tensor("token_embd.weight", new long[] {4, 3}, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
                .tensor("blk.0.attn_q.weight", new long[] {4, 4}, seq(16))
                .tensor("blk.0.attn_q.bias", new long[] {4}, new float[] {1, 2, 3, 4})
                .tensor("output.weight", new long[] {4, 3}, seq(12));
    }

    private static float[] seq(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = i * 0.5f;
        }
        return f;
    }

    @Test
    void syntheticQwen2FileWithAllMetadataTypes() throws IOException {
        Path p = tinyQwen2().alignment(64).write(dir.resolve("tiny.gguf"));
        try (GgufWeights w = GgufWeights.open(p)) {
            GgufFile f = w.file();
            assertEquals(64, f.alignment());
            assertEquals(-3L, f.metadata().get("test.i8"));
            assertEquals(65535L, f.metadata().get("test.u16"));
            assertEquals(-5_000_000_000L, f.metadata().get("test.i64"));
            assertEquals(0.25, f.real("test.f64"));
            assertTrue(f.bool("test.flag", false));
            assertArrayEquals(new int[] {7, -1}, f.intArray("test.ints"));
            ModelConfig c = w.config();
            assertEquals("qwen2", c.modelType());
            assertTrue(c.attentionBias());
            assertFalse(c.tieWordEmbeddings());
            assertEquals(3, c.vocabSize());
            assertEquals(2, c.headDim());
            assertEquals(1e6, c.ropeTheta());
            assertEquals(List.of(2), c.eosTokenIds());
            HostTensor emb = w.tensor("model.embed_tokens.weight");
            assertArrayEquals(new long[] {3, 4}, emb.shape());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, emb.toArray());
            // qwen2 is not permuted by the converter
            assertArrayEquals(seq(16), w.tensor("model.layers.0.self_attn.q_proj.weight").toArray());
            assertArrayEquals(new float[] {1, 2, 3, 4}, w.tensor("model.layers.0.self_attn.q_proj.bias").toArray());
            assertArrayEquals(seq(12), w.tensor("lm_head.weight").toArray());
        }
    }

    @Test
    void llamaQkRowsAreUnpermuted() throws IOException {
        float[] hf = seq(16); // 2 heads x headDim 2 x 4 columns, HF order
        float[] stored = RopePermutation.permute(FloatBuffer.wrap(hf), 2, 4);
        Path p = new GgufTestFile().str("general.architecture", "llama")
                .u32("llama.block_count", 1).u32("llama.embedding_length", 4).u32("llama.feed_forward_length", 8)
                .u32("llama.attention.head_count", 2).u32("llama.attention.head_count_kv", 2)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f).u32("llama.vocab_size", 3)
                .tensor("blk.0.attn_q.weight", new long[] {4, 4}, stored)
                .tensor("blk.0.attn_k.weight", new long[] {4, 4}, stored)
                .tensor("blk.0.attn_v.weight", new long[] {4, 4}, stored)
                .write(dir.resolve("llama.gguf"));
        try (GgufWeights w = GgufWeights.open(p)) {
            assertArrayEquals(hf, w.tensor("model.layers.0.self_attn.q_proj.weight").toArray());
            assertArrayEquals(hf, w.tensor("model.layers.0.self_attn.k_proj.weight").toArray());
            assertArrayEquals(stored, w.tensor("model.layers.0.self_attn.v_proj.weight").toArray());
        }
    }

    @Test
    void truncatedAndCorruptFilesFailClearly() throws IOException {
        byte[] ok = tinyQwen2().bytes();
        Path p = dir.resolve("t.gguf");
        Files.write(p, java.util.Arrays.copyOf(ok, ok.length - 20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("output.weight")
                && e.getMessage().contains("truncated"), e.getMessage());
        Files.write(p, java.util.Arrays.copyOf(ok, 100));
        e = assertThrows(IllegalArgumentException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
        byte[] bad = ok.clone();
        bad[0] = 'X';
        Files.write(p, bad);
        e = assertThrows(IllegalArgumentException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        // the real model cut inside its tokenizer metadata
        byte[] head = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(EmbeddedModel.smolLm2())) {
            assertEquals(head.length, in.readNBytes(head, 0, head.length));
        }
        Files.write(p, head);
        e = assertThrows(IllegalArgumentException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
        Path gemma = new GgufTestFile().str("general.architecture", "gemma3").write(dir.resolve("g.gguf"));
        e = assertThrows(IllegalArgumentException.class, () -> GgufWeights.open(gemma));
        assertTrue(e.getMessage().contains("general.architecture") && e.getMessage().contains("gemma3"), e.getMessage());
    }
}
