package io.subliminal.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The manifest written next to every artifact ({@code <key>.manifest.json}): what the bytes are and who made them.
 *
 * @param sha256 lower-case hex SHA-256 of the artifact's bytes
 * @param size artifact length in bytes
 * @param stage producing stage
 * @param contentKey identity of the producing stage's inputs
 * @param codeVersion version of the code that produced it
 * @param createdAt when the artifact was written
 */
public record Manifest(String sha256, long size, String stage, String contentKey, String codeVersion,
                       Instant createdAt) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Longest accepted stage, content key or code version; they also travel as S3 user metadata (2 KiB). */
    static final int MAX_TEXT = 256;

    public Manifest {
        Objects.requireNonNull(sha256, "manifest sha256");
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("manifest sha256 must be 64 lower-case hex digits: " + sha256);
        }
        if (size < 0) {
            throw new IllegalArgumentException("manifest size must be >= 0: " + size);
        }
        checkText("stage", stage);
        checkText("contentKey", contentKey);
        checkText("codeVersion", codeVersion);
        Objects.requireNonNull(createdAt, "manifest createdAt");
    }

    /** A manifest for bytes with the given digest and size made by {@code provenance}. */
    public static Manifest of(String sha256, long size, Provenance provenance, String codeVersion, Instant createdAt) {
        return new Manifest(sha256, size, provenance.stage(), provenance.contentKey(), codeVersion, createdAt);
    }

    /** The producing stage and content key. */
    public Provenance provenance() {
        return Provenance.of(this);
    }

    /** The manifest as a JSON document (UTF-8). */
    public byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("sha256", sha256);
        node.put("size", size);
        node.put("stage", stage);
        node.put("contentKey", contentKey);
        node.put("codeVersion", codeVersion);
        node.put("createdAt", createdAt.toString());
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise manifest", e);
        }
    }

    /**
     * Parses a manifest document.
     *
     * @param source where it came from, for error messages
     * @throws IOException naming the source and field when the document is malformed
     */
    public static Manifest fromJson(byte[] json, String source) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            throw new IOException("manifest " + source + " is not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IOException("manifest " + source + " is not a JSON object");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name : new String[] {"sha256", "size", "stage", "contentKey", "codeVersion", "createdAt"}) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull() || v.isContainerNode()) {
                throw new IOException("manifest " + source + " lacks field '" + name + "'");
            }
            fields.put(name, v.asText());
        }
        return fromFields(fields, source);
    }

    /** The manifest as S3 user metadata (lower-case ASCII names and values). */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("sha256", sha256);
        m.put("size", Long.toString(size));
        m.put("stage", stage);
        m.put("content-key", contentKey);
        m.put("code-version", codeVersion);
        m.put("created-at", createdAt.toString());
        return m;
    }

    /**
     * Reads a manifest back from S3 user metadata.
     *
     * @throws IOException naming the source and field when a field is missing or malformed
     */
    public static Manifest fromMetadata(Map<String, String> metadata, String source) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        String[][] names = {{"sha256", "sha256"}, {"size", "size"}, {"stage", "stage"},
            {"contentKey", "content-key"}, {"codeVersion", "code-version"}, {"createdAt", "created-at"}};
        for (String[] n : names) {
            String v = metadata.get(n[1]);
            if (v == null) {
                throw new IOException("object " + source + " lacks manifest metadata 'x-amz-meta-" + n[1]
                    + "' (not written by this store?)");
            }
            fields.put(n[0], v);
        }
        return fromFields(fields, source);
    }

    private static Manifest fromFields(Map<String, String> f, String source) throws IOException {
        try {
            return new Manifest(f.get("sha256"), Long.parseLong(f.get("size")), f.get("stage"), f.get("contentKey"),
                f.get("codeVersion"), Instant.parse(f.get("createdAt")));
        } catch (NumberFormatException e) {
            throw new IOException("manifest " + source + " has a non-numeric size: " + f.get("size"), e);
        } catch (DateTimeParseException e) {
            throw new IOException("manifest " + source + " has a malformed createdAt: " + f.get("createdAt"), e);
        } catch (IllegalArgumentException e) {
            throw new IOException("manifest " + source + " is invalid: " + e.getMessage(), e);
        }
    }

    static void checkText(String field, String value) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        if (value.length() > MAX_TEXT) {
            throw new IllegalArgumentException(field + " is longer than " + MAX_TEXT + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException(field + " must be printable ASCII: '" + value + "'");
            }
        }
    }
}
