package io.subliminal.results;

import java.util.List;
import java.util.stream.Collectors;

/** RFC 4180 CSV lines: fields with a comma, quote or line break are quoted, quotes doubled; lines end in LF. */
final class Csv {
    private Csv() {
    }

    static String line(List<String> fields) {
        return fields.stream().map(Csv::field).collect(Collectors.joining(",")) + "\n";
    }

    static String field(String value) {
        if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
            return "\"" + value.replace("\"", "\"\"") + "\"";
        }
        return value;
    }

    /** A number in its shortest exact decimal form (Java's {@code Double.toString}), "" for NaN. */
    static String number(double value) {
        return Double.isNaN(value) ? "" : Double.toString(value);
    }
}
