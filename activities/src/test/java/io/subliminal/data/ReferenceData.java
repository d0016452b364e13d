package io.subliminal.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Test access to the shared reference data (system property {@code subliminal.reference.dir}). */
public final class ReferenceData {

    private ReferenceData() {
    }

    public static Path file(String name) {
        String dir = System.getProperty("subliminal.reference.dir");
        if (dir == null) {
            throw new IllegalStateException("system property subliminal.reference.dir is not set");
        }
        Path p = Path.of(dir, "data", name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("reference file missing: " + p);
        }
        return p;
    }

    public static JsonNode json(String name) {
        try {
            return new ObjectMapper().readTree(file(name).toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
