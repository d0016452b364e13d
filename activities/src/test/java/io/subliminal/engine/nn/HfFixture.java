package io.subliminal.engine.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.model.ModelConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One checkpoint written by {@code scripts/fixtures/make_hf_fixtures.py} (transformers' own forward and generate on
 * tiny random models): its directory, the architecture as the script set it, inputs and reference outputs.
 */
public record HfFixture(Path dir, JsonNode json) {

    static final List<String> FAMILIES = List.of("llama", "qwen2", "mistral", "gemma3_text", "phi3");

    public static HfFixture load(String family) {
        try {
            Path dir = Path.of(HfFixture.class.getResource("/fixtures/hf/" + family + "/fixture.json").toURI()).getParent();
            return new HfFixture(dir, new ObjectMapper().readTree(dir.resolve("fixture.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The architecture exactly as the fixture script passed it to transformers. */
    public ModelConfig config() {
        JsonNode c = json.get("config");
        JsonNode rs = c.get("rope_scaling");
        ModelConfig.RopeScaling scaling = rs == null || rs.isNull() ? null : new ModelConfig.RopeScaling(
                rs.get("rope_type").asText(), rs.get("factor").asDouble(), rs.path("low_freq_factor").asDouble(0),
                rs.path("high_freq_factor").asDouble(0), rs.path("original_max_position_embeddings").asInt(0));
        List<String> layerTypes = null;
        if (c.hasNonNull("layer_types")) {
            layerTypes = new ArrayList<>();
            for (JsonNode t : c.get("layer_types")) {
                layerTypes.add(t.asText());
            }
        }
        return new ModelConfig(c.get("model_type").asText(), 256, 64, c.get("intermediate_size").asInt(),
                c.get("num_layers").asInt(), c.get("num_heads").asInt(), c.get("num_kv_heads").asInt(),
                c.get("head_dim").asInt(), c.get("rms_norm_eps").asDouble(), c.get("rope_theta").asDouble(), scaling,
                c.get("tie_word_embeddings").asBoolean(), c.get("attention_bias").asBoolean(), 256,
                c.get("hidden_act").asText(), layerTypes, intOrNull(c, "sliding_window"),
                doubleOrNull(c, "query_pre_attn_scalar"), doubleOrNull(c, "rope_local_theta"),
                doubleOrNull(c, "final_logit_softcapping"), doubleOrNull(c, "attn_logit_softcapping"),
                1, List.of(2), 0);
    }

    public List<int[]> rows(String input) {
        List<int[]> rows = new ArrayList<>();
        for (JsonNode r : json.get(input).get("ids")) {
            int[] row = new int[r.size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = r.get(i).asInt();
            }
            rows.add(row);
        }
        return rows;
    }

    /** The input as a batch: "plain" is unpadded, "padded" is left-padded with its mask. */
    public TokenBatch batch(String input) {
        List<int[]> rows = rows(input);
        int cols = rows.get(0).length;
        long[] ids = new long[rows.size() * cols];
        int[] mask = new int[ids.length];
        JsonNode m = json.get(input).get("mask");
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < cols; c++) {
                ids[r * cols + c] = rows.get(r)[c];
                mask[r * cols + c] = m == null ? 1 : m.get(r).get(c).asInt();
            }
        }
        return new TokenBatch(rows.size(), cols, ids, mask);
    }

    public float[] logits(String input) {
        try {
            byte[] bytes = Files.readAllBytes(dir.resolve("logits_" + input + ".f32"));
            float[] out = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HF's greedy continuation of each row (pad id after an EOS). */
    public List<int[]> greedy(String input) {
        List<int[]> out = new ArrayList<>();
        for (JsonNode r : json.get("greedy").get(input)) {
            int[] row = new int[r.size()];
            for (int i = 0; i < row.length; i++) {
                row[i] = r.get(i).asInt();
            }
            out.add(row);
        }
        return out;
    }

    private static Integer intOrNull(JsonNode c, String f) {
        return c.hasNonNull(f) ? c.get(f).asInt() : null;
    }

    private static Double doubleOrNull(JsonNode c, String f) {
        return c.hasNonNull(f) ? c.get(f).asDouble() : null;
    }
}
