package io.subliminal.store;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A validated, store-relative artifact key such as {@code runs/fig2/owl/teacher/numbers.jsonl}: '/'-separated
 * segments of {@code [A-Za-z0-9_][A-Za-z0-9._=+@,-]*}. Absolute paths, {@code .}/{@code ..} segments, hidden
 * segments (leading '.', reserved for temporary files), empty segments and the manifest suffix are rejected, so a
 * key can never leave the store's root on a file system nor collide with a manifest.
 *
 * @param value the key text
 */
public record ArtifactKey(String value) {

    /** Suffix of the manifest written next to every artifact. */
    public static final String MANIFEST_SUFFIX = ".manifest.json";
    /** Longest accepted key, leaving room for a bucket prefix and the manifest suffix within S3's 1024 bytes. */
    public static final int MAX_LENGTH = 768;

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._=+@,-]*");

    public ArtifactKey {
        Objects.requireNonNull(value, "artifact key");
        String problem = problem(value, false);
        if (problem != null) {
            throw new IllegalArgumentException("invalid artifact key '" + value + "': " + problem);
        }
    }

    /** Joins segments with '/' and validates the result. */
    public static ArtifactKey of(String first, String... more) {
        StringBuilder sb = new StringBuilder(first);
        for (String s : more) {
            sb.append('/').append(s);
        }
        return new ArtifactKey(sb.toString());
    }

    /** This key with {@code child} (one or more segments) appended. */
    public ArtifactKey resolve(String child) {
        return new ArtifactKey(value + "/" + child);
    }

    /** The last segment. */
    public String name() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    /** The key of the manifest stored next to this artifact. */
    public String manifestKey() {
        return value + MANIFEST_SUFFIX;
    }

    /**
     * Validates a listing prefix: empty, or a key prefix (segments as for keys, possibly ending with '/').
     *
     * @return the prefix unchanged
     */
    public static String checkPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty()) {
            return prefix;
        }
        String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        String problem = problem(body, true);
        if (problem != null) {
            throw new IllegalArgumentException("invalid artifact key prefix '" + prefix + "': " + problem);
        }
        return prefix;
    }

    private static String problem(String value, boolean prefix) {
        if (value.isEmpty()) {
            return "empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters";
        }
        if (value.startsWith("/") || value.contains("\\") || value.contains(":")) {
            return "absolute paths, drive letters and backslashes are not allowed";
        }
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty()) {
                return "empty path segment ('//' or trailing '/')";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "'" + segment + "' segments are not allowed";
            }
            if (!SEGMENT.matcher(segment).matches()) {
                return "segment '" + segment + "' must match " + SEGMENT.pattern();
            }
        }
        if (!prefix && value.endsWith(MANIFEST_SUFFIX)) {
            return "keys ending in " + MANIFEST_SUFFIX + " are reserved for manifests";
        }
        return null;
    }

    @Override
    public String toString() {
        return value;
    }
}
