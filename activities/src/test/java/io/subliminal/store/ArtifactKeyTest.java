package io.subliminal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactKeyTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "runs/fig2/owl/teacher/numbers.jsonl", "ckpt/step=100/adapter_model.safetensors",
        "x/y-z_1.2+3@4,5", "_leading_underscore/ok"})
    void acceptsPlainRelativeKeys(String key) {
        assertEquals(key, new ArtifactKey(key).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/etc/passwd", "../escape", "a/../b", "a/./b", "a//b", "a/", ".hidden",
        "a/.tmp-file", "c:/windows", "a\\b", "with space", "a/b.manifest.json", "tab\tkey", "ümlaut"})
    void rejectsKeysThatCouldEscapeOrCollide(String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ArtifactKey(key));
        assertTrue(e.getMessage().contains("invalid artifact key"), e.getMessage());
    }

    @Test
    void rejectsOverlongKeys() {
        assertThrows(IllegalArgumentException.class, () -> new ArtifactKey("a".repeat(ArtifactKey.MAX_LENGTH + 1)));
    }

    @Test
    void joinsAndNamesSegments() {
        ArtifactKey k = ArtifactKey.of("runs", "fig2", "data.jsonl");
        assertEquals("runs/fig2/data.jsonl", k.value());
        assertEquals("data.jsonl", k.name());
        assertEquals("runs/fig2/data.jsonl.manifest.json", k.manifestKey());
        assertEquals("runs/fig2/x/y", ArtifactKey.of("runs", "fig2").resolve("x/y").value());
        assertThrows(IllegalArgumentException.class, () -> ArtifactKey.of("runs").resolve("../x"));
    }

    @Test
    void validatesPrefixes() {
        assertEquals("", ArtifactKey.checkPrefix(""));
        assertEquals("runs/", ArtifactKey.checkPrefix("runs/"));
        assertEquals("runs/fi", ArtifactKey.checkPrefix("runs/fi"));
        assertThrows(IllegalArgumentException.class, () -> ArtifactKey.checkPrefix("../"));
        assertThrows(IllegalArgumentException.class, () -> ArtifactKey.checkPrefix("/abs"));
    }
}
