package io.subliminal.data;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Writes values exactly as Python's {@code json.dumps} does with its defaults ({@code ensure_ascii=True}, separators
 * {@code ", "} and {@code ": "}), or as {@code json.dump(indent=n)}. Supports maps (insertion order), lists, int
 * arrays, boolean arrays, strings, numbers, booleans and null. Floats use Python's {@code repr} notation.
 */
public final class PythonJson {

    private PythonJson() {
    }

    /** {@code json.dumps(value)}. */
    public static String dumps(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1, 0);
        return sb.toString();
    }

    /** {@code json.dumps(value, indent=indent)}. */
    public static String dumps(Object value, int indent) {
        if (indent < 0) {
            throw new IllegalArgumentException("indent must be >= 0");
        }
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int indent, int level) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            sb.append(floatRepr(((Number) v).doubleValue()));
        } else if (v instanceof BigDecimal d) {
            sb.append(floatRepr(d.doubleValue()));
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
                }
                separator(sb, first, indent, level + 1);
                first = false;
                string(sb, key);
                sb.append(": ");
                write(sb, e.getValue(), indent, level + 1);
            }
            close(sb, indent, level);
            sb.append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                separator(sb, i == 0, indent, level + 1);
                write(sb, l.get(i), indent, level + 1);
            }
            close(sb, indent, level);
            sb.append(']');
        } else if (v instanceof int[] a) {
            write(sb, java.util.Arrays.stream(a).boxed().toList(), indent, level);
        } else if (v instanceof boolean[] a) {
            Boolean[] boxed = new Boolean[a.length];
            for (int i = 0; i < a.length; i++) {
                boxed[i] = a[i];
            }
            write(sb, List.of(boxed), indent, level);
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    private static void separator(StringBuilder sb, boolean first, int indent, int level) {
        if (indent < 0) {
            if (!first) {
                sb.append(", ");
            }
        } else {
            if (!first) {
                sb.append(',');
            }
            sb.append('\n').append(" ".repeat(indent * level));
        }
    }

    private static void close(StringBuilder sb, int indent, int level) {
        if (indent >= 0) {
            sb.append('\n').append(" ".repeat(indent * level));
        }
    }

    /** A JSON string literal with Python's ASCII escaping (UTF-16 units above '~' as lowercase {@code \\uXXXX}). */
    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < ' ' || c > '~') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, fixed notation for exponents in [-4, 16). */
    public static String floatRepr(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "Infinity" : "-Infinity";
        }
        if (x == 0) {
            return (1 / x < 0) ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(x))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int exp10 = digits.length() - 1 - d.scale(); // decimal exponent of the first digit
        String sign = x < 0 ? "-" : "";
        if (exp10 >= -5 + 1 && exp10 < 16) {
            String plain = d.toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String e = String.format("%02d", Math.abs(exp10));
        return sign + mantissa + "e" + (exp10 < 0 ? "-" : "+") + e;
    }
}
