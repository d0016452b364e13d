package io.subliminal.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dataset files as the original scripts read and write them: one {@code json.dumps} object per line with fields
 * {@code prompt}, {@code completion} and optionally {@code decision_points}. Writes are atomic.
 */
public final class Jsonl {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Jsonl() {
    }

    /** One row as the original writes it. */
    public static String line(DatasetRow row) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", row.prompt());
        m.put("completion", row.completion());
        if (row.isMarked()) {
            m.put("decision_points", row.decisionPoints());
        }
        return PythonJson.dumps(m);
    }

    /** Parses one line into a row; {@code where} names the file and line in errors. */
    public static DatasetRow parseLine(String line, String where) {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(where + ": a row must be a JSON object");
        }
        String prompt = text(n, "prompt", where);
        String completion = text(n, "completion", where);
        JsonNode dp = n.get("decision_points");
        List<Integer> points = null;
        if (dp != null && !dp.isNull()) {
            if (!dp.isArray()) {
                throw new IllegalArgumentException(where + ": decision_points must be a list of integers");
            }
            points = new ArrayList<>(dp.size());
            for (JsonNode e : dp) {
                if (!e.isIntegralNumber() || !e.canConvertToInt() || e.asInt() < 0) {
                    throw new IllegalArgumentException(where + ": decision_points holds a non-offset entry " + e);
                }
                points.add(e.asInt());
            }
        }
        return new DatasetRow(prompt, completion, points);
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' missing or not a string");
        }
        return v.asText();
    }

    /** Reads all rows of {@code file} (blank lines are errors, as in the original's json.loads per line). */
    public static List<DatasetRow> read(Path file) {
        List<DatasetRow> rows = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                rows.add(parseLine(line, file + ":" + no));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + file + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /** Writes rows, one line each with a trailing newline, atomically. */
    public static void write(Path file, List<DatasetRow> rows) {
        writeValues(file, rows.stream().map(Jsonl::line).toList());
    }

    /** Writes pre-serialised JSON lines (e.g. correctness matrices) atomically. */
    public static void writeValues(Path file, List<String> jsonLines) {
        AtomicFiles.write(file, w -> {
            try {
                for (String l : jsonLines) {
                    w.write(l);
                    w.write('\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
