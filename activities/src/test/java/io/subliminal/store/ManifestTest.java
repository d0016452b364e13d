package io.subliminal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestTest {

    private static final String SHA = Sha256.hex("hello".getBytes(StandardCharsets.UTF_8));
    private final Manifest manifest = new Manifest(SHA, 5, "teacher-sample", "ck-123", "0.1.0+abc",
        Instant.parse("2026-11-24T12:00:00.123Z"));

    @Test
    void jsonHasTheSixFieldsAndRoundTrips() throws IOException {
        JsonNode node = new ObjectMapper().readTree(manifest.toJson());
        assertEquals(SHA, node.get("sha256").asText());
        assertEquals(5, node.get("size").asLong());
        assertEquals("teacher-sample", node.get("stage").asText());
        assertEquals("ck-123", node.get("contentKey").asText());
        assertEquals("0.1.0+abc", node.get("codeVersion").asText());
        assertEquals("2026-11-24T12:00:00.123Z", node.get("createdAt").asText());
        assertEquals(6, node.size());
        assertEquals(manifest, Manifest.fromJson(manifest.toJson(), "test"));
    }

    @Test
    void metadataRoundTrips() throws IOException {
        assertEquals(manifest, Manifest.fromMetadata(manifest.toMetadata(), "test"));
    }

    @Test
    void malformedDocumentsNameTheSourceAndField() {
        IOException missing = assertThrows(IOException.class,
            () -> Manifest.fromJson("{\"sha256\":\"x\"}".getBytes(StandardCharsets.UTF_8), "m.json"));
        assertTrue(missing.getMessage().contains("m.json") && missing.getMessage().contains("size"),
            missing.getMessage());
        Map<String, String> meta = new HashMap<>(manifest.toMetadata());
        meta.put("created-at", "yesterday");
        IOException date = assertThrows(IOException.class, () -> Manifest.fromMetadata(meta, "obj"));
        assertTrue(date.getMessage().contains("createdAt"), date.getMessage());
        meta.remove("stage");
        IOException stage = assertThrows(IOException.class, () -> Manifest.fromMetadata(meta, "obj"));
        assertTrue(stage.getMessage().contains("x-amz-meta-stage"), stage.getMessage());
        assertThrows(IOException.class, () -> Manifest.fromJson("not json".getBytes(StandardCharsets.UTF_8), "m"));
    }

    @Test
    void rejectsInvalidFields() {
        Instant t = Instant.EPOCH;
        assertThrows(IllegalArgumentException.class, () -> new Manifest("ABC", 1, "s", "c", "v", t));
        assertThrows(IllegalArgumentException.class, () -> new Manifest(SHA, -1, "s", "c", "v", t));
        assertThrows(IllegalArgumentException.class, () -> new Manifest(SHA, 1, " ", "c", "v", t));
        assertThrows(IllegalArgumentException.class, () -> new Manifest(SHA, 1, "s", "c\n", "v", t));
        assertThrows(IllegalArgumentException.class, () -> new Provenance("stage", "é"));
    }
}
