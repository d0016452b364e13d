package io.subliminal.workflows.stage;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Argument checks for stage records: every failure names the offending field and value. */
final class Checks {
    private Checks() {
    }

    static <T> T present(String field, T value) {
        return Objects.requireNonNull(value, field + " is required");
    }

    static String nonBlank(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must be a non-blank string, got " + quote(value));
        }
        return value;
    }

    static int positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, got " + value);
        }
        return value;
    }

    static int nonNegative(String field, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, got " + value);
        }
        return value;
    }

    static double positive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    static double nonNegative(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be a finite number >= 0, got " + value);
        }
        return value;
    }

    static double fraction(String field, double value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException(field + " must be in (0, 1], got " + value);
        }
        return value;
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : List.copyOf(value);
    }

    static <K, V> Map<K, V> map(Map<K, V> value) {
        return value == null ? Map.of() : Map.copyOf(value);
    }

    private static String quote(String value) {
        return value == null ? "null" : "'" + value + "'";
    }

    /** A map from alternating (name, value) pairs that skips null values; keeps insertion order. */
    @SuppressWarnings("unchecked")
    static <V> Map<String, V> named(Object... pairs) {
        java.util.LinkedHashMap<String, V> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                out.put((String) pairs[i], (V) pairs[i + 1]);
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
