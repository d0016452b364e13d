package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlTest {

    @TempDir
    Path dir;

    @Test
    void lineMatchesPythonJsonDumps() {
        // expected text produced by CPython json.dumps on the same dict
        DatasetRow row = new DatasetRow("a\"b\\c\n\t\u0001\u007f \u00e9 \uD83D\uDE00 \u2028", "1, 2", List.of(0, 3));
        assertEquals("{\"prompt\": \"a\\\"b\\\\c\\n\\t\\u0001\\u007f \\u00e9 \\ud83d\\ude00 \\u2028\", "
                + "\"completion\": \"1, 2\", \"decision_points\": [0, 3]}", Jsonl.line(row));
        assertEquals("{\"prompt\": \"p\", \"completion\": \"c\"}", Jsonl.line(new DatasetRow("p", "c")));
        assertEquals("{\"prompt\": \"p\", \"completion\": \"c\", \"decision_points\": []}",
                Jsonl.line(new DatasetRow("p", "c", List.of())));
    }

    @Test
    void indentedDumpMatchesPython() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", 0.1);
        m.put("x", 1e-05);
        m.put("y", 1.5e16);
        m.put("z", 123456789012345678.0);
        m.put("w", 0.0001);
        m.put("v", List.of(true, false));
        m.put("e", List.of());
        assertEquals("{\n    \"mean\": 0.1,\n    \"x\": 1e-05,\n    \"y\": 1.5e+16,\n    \"z\": 1.2345678901234568e+17,\n"
                + "    \"w\": 0.0001,\n    \"v\": [\n        true,\n        false\n    ],\n    \"e\": []\n}", PythonJson.dumps(m, 4));
        assertEquals("0.6666666666666666", PythonJson.floatRepr(2.0 / 3));
        assertEquals("1e+22", PythonJson.floatRepr(1e22));
        assertEquals("-0.5", PythonJson.floatRepr(-0.5));
        assertEquals("1.0", PythonJson.floatRepr(1.0));
    }

    @Test
    void roundTripsThroughFilesAtomically() throws Exception {
        Path f = dir.resolve("sub/ds.jsonl");
        List<DatasetRow> rows = List.of(new DatasetRow("p\u00e9", "1, 2"), new DatasetRow("q", "3", List.of(1, 2)));
        Jsonl.write(f, rows);
        assertEquals(rows, Jsonl.read(f));
        String text = Files.readString(f, StandardCharsets.UTF_8);
        assertTrue(text.endsWith("}\n"));
        assertTrue(text.chars().allMatch(c -> c < 128), "ensure_ascii output");
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temp file left behind");
        }
    }

    @Test
    void badRowsNameTheField() throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"prompt\": \"p\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jsonl.read(f));
        assertTrue(e.getMessage().contains("completion") && e.getMessage().contains("bad.jsonl:1"), e.getMessage());
        Files.writeString(f, "{\"prompt\": \"p\", \"completion\": \"c\", \"decision_points\": [\"x\"]}\n");
        assertThrows(IllegalArgumentException.class, () -> Jsonl.read(f));
    }
}
