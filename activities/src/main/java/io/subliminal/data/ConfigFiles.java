package io.subliminal.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads prompt, question and template files (JSON, or YAML for {@code .yaml}/{@code .yml}) and pulls typed fields out
 * of them with errors that name the file and the field.
 */
public final class ConfigFiles {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigFiles() {
    }

    /** The parsed tree of {@code file}. */
    public static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("config file not found: " + file);
        }
        String name = file.getFileName().toString().toLowerCase();
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
        try {
            JsonNode node = mapper.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("config file " + file + " must hold a mapping at the top level");
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The required field {@code field} of {@code node}. */
    public static JsonNode field(JsonNode node, String field, Path file) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("field '" + field + "' missing in " + file);
        }
        return v;
    }

    /** The required non-empty list of strings {@code field}. */
    public static List<String> strings(JsonNode node, String field, Path file) {
        JsonNode v = field(node, field, file);
        if (!v.isArray() || v.isEmpty()) {
            throw new IllegalArgumentException("field '" + field + "' in " + file + " must be a non-empty list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new IllegalArgumentException("field '" + field + "' in " + file + " holds a non-string entry: " + e);
            }
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    /** The required string {@code field}. */
    public static String string(JsonNode node, String field, Path file) {
        JsonNode v = field(node, field, file);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' in " + file + " must be a string");
        }
        return v.asText();
    }

    /** The required integer {@code field}. */
    public static int integer(JsonNode node, String field, Path file) {
        JsonNode v = field(node, field, file);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + field + "' in " + file + " must be an integer");
        }
        return v.asInt();
    }
}
