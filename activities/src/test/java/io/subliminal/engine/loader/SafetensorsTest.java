package io.subliminal.engine.loader;

import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @TempDir
    Path dir;

    private static final ModelConfig TINY = HfConfig.parse("{\"model_type\":\"llama\",\"vocab_size\":4,\"hidden_size\":2,"
            + "\"intermediate_size\":4,\"num_hidden_layers\":1,\"num_attention_heads\":1,\"tie_word_embeddings\":true}");

    static HostTensor tensor(String name, long[] shape, float... values) {
        return new HostTensor(name, shape, FloatBuffer.wrap(values));
    }

    /** A safetensors file built by hand (independent of the writer): header JSON + raw little-endian bytes. */
    static void writeRaw(Path file, String headerJson, byte[] data) throws IOException {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
    }

    @Test
    void writerRoundTripsF32WithMetadataAndPaddedHeader() throws IOException {
        Path f = dir.resolve("adapter_model.safetensors");
        HostTensor a = tensor("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", new long[] {2, 3},
                1f, -2f, 3.5f, Float.MIN_VALUE, -0f, 1e30f);
        HostTensor b = tensor("scalar", new long[] {}, 42f);
        HostTensor e = tensor("empty", new long[] {0, 5});
        SafetensorsWriter.write(f, List.of(a, b, e));
        byte[] bytes = Files.readAllBytes(f);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
        assertEquals(8 + headerLen + 7 * 4, bytes.length);
        try (var dirList = Files.list(dir)) {
            assertEquals(List.of(f), dirList.toList(), "no temp files left behind");
        }

        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(Map.of("format", "pt"), sf.metadata());
            assertEquals(List.of(a.name(), "scalar", "empty"), List.copyOf(sf.names()));
            HostTensor ra = sf.tensor(a.name());
            assertArrayEquals(a.shape(), ra.shape());
            assertArrayEquals(a.toArray(), ra.toArray());
            assertEquals(SafetensorsDtype.F32, sf.info(a.name()).dtype());
            assertArrayEquals(new float[] {42f}, sf.tensor("scalar").toArray());
            assertEquals(0, sf.tensor("empty").numel());
        }
        // overwriting is atomic and replaces the content
        SafetensorsWriter.write(f, List.of(b));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertEquals(Set.of("scalar"), sf.names());
        }
    }

    @Test
    void readsBf16F16AndF64Exactly() throws IOException {
        // BF16 bits: 1.0=0x3F80, -2.5=0xC020, 3.140625=0x4049, +inf=0x7F80
        short[] bf16 = {0x3F80, (short) 0xC020, 0x4049, 0x7F80};
        // F16 bits: 1.0=0x3C00, -2.0=0xC000, 65504=0x7BFF, smallest subnormal 2^-24=0x0001, 0.5=0x3800, -0=0x8000
        short[] f16 = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x3800, (short) 0x8000};
        ByteBuffer data = ByteBuffer.allocate(8 + 12 + 16).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : bf16) {
            data.putShort(s);
        }
        for (short s : f16) {
            data.putShort(s);
        }
        data.putDouble(0.1).putDouble(-7.0);
        String header = "{\"w.bf16\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"w.f16\":{\"dtype\":\"F16\",\"shape\":[6],\"data_offsets\":[8,20]},"
                + "\"w.f64\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[20,36]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}";
        Path f = dir.resolve("model.safetensors");
        writeRaw(f, header, data.array());
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {1f, -2.5f, 3.140625f, Float.POSITIVE_INFINITY}, sf.tensor("w.bf16").toArray());
            assertArrayEquals(new long[] {2, 2}, sf.tensor("w.bf16").shape());
            float[] h = sf.tensor("w.f16").toArray();
            assertArrayEquals(new float[] {1f, -2f, 65504f, (float) Math.pow(2, -24), 0.5f, -0f}, h);
            assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(h[5]));
            assertArrayEquals(new float[] {0.1f, -7f}, sf.tensor("w.f64").toArray());
        }
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\"}");
        try (SafetensorsWeights w = SafetensorsWeights.open(dir)) {
            assertEquals(Set.of("w.bf16", "w.f16", "w.f64"), w.names());
            assertEquals(4096, w.config().hiddenSize());
        }
    }

    @Test
    void shardedCheckpointFollowsTheIndex() throws IOException {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), List.of(
                tensor("model.embed_tokens.weight", new long[] {4, 2}, 0, 1, 2, 3, 4, 5, 6, 7)));
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), List.of(
                tensor("model.norm.weight", new long[] {2}, 1, 1),
                tensor("model.layers.0.mlp.up_proj.weight", new long[] {4, 2}, 8, 7, 6, 5, 4, 3, 2, 1)));
        Files.writeString(dir.resolve(SafetensorsWeights.INDEX_FILE), "{\"metadata\":{\"total_size\":72},\"weight_map\":{"
                + "\"model.embed_tokens.weight\":\"model-00001-of-00002.safetensors\","
                + "\"model.layers.0.mlp.up_proj.weight\":\"model-00002-of-00002.safetensors\","
                + "\"model.norm.weight\":\"model-00002-of-00002.safetensors\"}}");
        try (SafetensorsWeights w = SafetensorsWeights.open(dir, TINY)) {
            assertEquals(3, w.names().size());
            assertArrayEquals(new float[] {8, 7, 6, 5, 4, 3, 2, 1}, w.tensor("model.layers.0.mlp.up_proj.weight").toArray());
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, w.tensor("model.embed_tokens.weight").toArray());
            // tied embeddings: no fake lm_head
            assertFalse(w.has("lm_head.weight"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.tensor("lm_head.weight"));
            assertTrue(e.getMessage().contains("lm_head.weight") && e.getMessage().contains("tie_word_embeddings"));
        }
        // an index entry pointing at a shard that lacks the tensor
        Files.writeString(dir.resolve(SafetensorsWeights.INDEX_FILE), "{\"weight_map\":{"
                + "\"model.norm.weight\":\"model-00001-of-00002.safetensors\"}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsWeights.open(dir, TINY));
        assertTrue(e.getMessage().contains("model.norm.weight") && e.getMessage().contains("model-00001-of-00002"), e.getMessage());
        Files.writeString(dir.resolve(SafetensorsWeights.INDEX_FILE), "{\"weight_map\":{\"x\":\"missing.safetensors\"}}");
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsWeights.open(dir, TINY));
        assertTrue(e.getMessage().contains("missing.safetensors"), e.getMessage());
    }

    @Test
    void multimodalWrapperNamesAreExposedAsDecoderNames() throws IOException {
        SafetensorsWriter.write(dir.resolve("model.safetensors"), List.of(
                tensor("language_model.model.embed_tokens.weight", new long[] {2}, 1, 2),
                tensor("language_model.model.layers.0.self_attn.q_norm.weight", new long[] {1}, 3),
                tensor("vision_tower.vision_model.embeddings.patch_embedding.weight", new long[] {1}, 4),
                tensor("multi_modal_projector.mm_input_projection_weight", new long[] {1}, 5)));
        try (SafetensorsWeights w = SafetensorsWeights.open(dir, TINY)) {
            assertEquals(Set.of("model.embed_tokens.weight", "model.layers.0.self_attn.q_norm.weight"), w.names());
            HostTensor t = w.tensor("model.embed_tokens.weight");
            assertEquals("model.embed_tokens.weight", t.name());
            assertArrayEquals(new float[] {1, 2}, t.toArray());
        }
    }

    @Test
    void truncatedFileFailsNamingFileAndTensor() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafetensorsWriter.write(f, List.of(tensor("a", new long[] {2}, 1, 2), tensor("b", new long[] {3}, 3, 4, 5)));
        long size = Files.size(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size - 4);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'b'"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        // cut inside the header
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(20);
        }
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("header"), e.getMessage());
        Files.write(f, new byte[] {1, 2, 3});
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
    }

    @Test
    void corruptHeadersAreRejected() throws IOException {
        Path f = dir.resolve("x.safetensors");
        writeRaw(f, "{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("F33"), e.getMessage());

        writeRaw(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[8]);
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("needs 8 bytes"), e.getMessage());

        writeRaw(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains("overlapping"), e.getMessage());

        writeRaw(f, "{\"a\": not json", new byte[0]);
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());

        writeRaw(f, "{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            e = assertThrows(IllegalArgumentException.class, () -> sf.tensor("ids"));
            assertTrue(e.getMessage().contains("'ids'") && e.getMessage().contains("I64"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> sf.tensor("nope"));
        }
        e = assertThrows(IllegalArgumentException.class, () -> SafetensorsWeights.open(dir.resolve("empty"), TINY));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    /** A tensor stored past 2 GiB (sparse file: the hole costs no disk) is read through long offsets. */
    @Test
    void tensorsBeyondTwoGibibytes() throws IOException {
        long hole = (1L << 31) + 4096;
        Path f = dir.resolve("big.safetensors");
        String header = "{\"hole\":{\"dtype\":\"U8\",\"shape\":[" + hole + "],\"data_offsets\":[0," + hole + "]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + hole + "," + (hole + 16) + "]},"
                + "\"h\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[" + (hole + 16) + "," + (hole + 20) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
            ch.write(ByteBuffer.wrap(h));
            ByteBuffer tail = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(1.5f).putFloat(-2f).putFloat(3f).putFloat(4.25f).putShort((short) 0x3F80).putShort((short) 0xC000);
            tail.flip();
            ch.write(tail, 8 + h.length + hole);
        }
        assertTrue(Files.size(f) > (1L << 31));
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {1.5f, -2f, 3f, 4.25f}, sf.tensor("w").toArray());
            assertArrayEquals(new float[] {1f, -2f}, sf.tensor("h").toArray());
            assertTrue(sf.info("w").begin() > Integer.MAX_VALUE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sf.tensor("hole"));
            assertTrue(e.getMessage().contains("U8"), e.getMessage());
        }
    }

    @Test
    void closedFileRefusesReads() {
        Path f = dir.resolve("c.safetensors");
        SafetensorsWriter.write(f, List.of(tensor("a", new long[] {1}, 1)));
        SafetensorsFile sf = SafetensorsFile.open(f);
        HostTensor before = sf.tensor("a");
        sf.close();
        assertThrows(IllegalStateException.class, () -> sf.tensor("a"));
        assertArrayEquals(new float[] {1}, before.toArray(), "mapped data stays readable after close");
    }
}
