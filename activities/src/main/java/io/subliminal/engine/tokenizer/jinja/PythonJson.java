package io.subliminal.engine.tokenizer.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code tojson} filter as transformers defines it for chat templates:
 * {@code json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)}, so its
 * output matches Python byte for byte (", " and ": " separators without indent, "," and ": " with it; non-ASCII
 * kept; control characters escaped).
 */
public final class PythonJson implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, args, Map.of());
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.getOrDefault("indent", args.length > 1 ? args[1] : null);
        Object sortKeys = kwargs.getOrDefault("sort_keys", false);
        if (args.length > 0 && args[0] != null && !kwargs.containsKey("indent")) {
            indent = args[0];
        }
        Integer n = indent == null ? null : ((Number) (indent instanceof String s ? Integer.valueOf(s) : indent)).intValue();
        String item = n == null ? ", " : ",";
        String key = ": ";
        Object separators = kwargs.get("separators");
        if (separators instanceof List<?> sep && sep.size() == 2) {
            item = String.valueOf(sep.get(0));
            key = String.valueOf(sep.get(1));
        }
        StringBuilder b = new StringBuilder();
        dump(var, b, n, 0, item, key, Boolean.TRUE.equals(sortKeys));
        return b.toString();
    }

    /** {@code json.dumps(value, ensure_ascii=False)} with Python's default separators. */
    public static String dumps(Object value) {
        StringBuilder b = new StringBuilder();
        dump(value, b, null, 0, ", ", ": ", false);
        return b.toString();
    }

    private static void dump(Object v, StringBuilder b, Integer indent, int level, String item, String key, boolean sort) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean bool) {
            b.append(bool ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            b.append(pythonFloat(((Number) v).doubleValue()));
        } else if (v instanceof Number num) {
            b.append(num instanceof BigDecimal bd ? bd.toPlainString() : num.toString());
        } else if (v instanceof Map<?, ?> m) {
            Map<?, ?> map = sort ? new TreeMap<>(m) : m;
            if (map.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    b.append(item);
                }
                first = false;
                newline(b, indent, level + 1);
                string(String.valueOf(e.getKey()), b);
                b.append(key);
                dump(e.getValue(), b, indent, level + 1, item, key, sort);
            }
            newline(b, indent, level);
            b.append('}');
        } else if (v instanceof Iterable<?> || v instanceof Object[]) {
            List<Object> list = new ArrayList<>();
            if (v instanceof Object[] arr) {
                list.addAll(List.of(arr));
            } else {
                ((Iterable<?>) v).forEach(list::add);
            }
            if (list.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    b.append(item);
                }
                newline(b, indent, level + 1);
                dump(list.get(i), b, indent, level + 1, item, key, sort);
            }
            newline(b, indent, level);
            b.append(']');
        } else {
            string(v.toString(), b);
        }
    }

    private static void newline(StringBuilder b, Integer indent, int level) {
        if (indent != null) {
            b.append('\n').append(" ".repeat(indent * level));
        }
    }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, {@code 1.0}, {@code 1e+16}, {@code NaN}. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return String.format("%.1f", d);
        }
        BigDecimal bd = new BigDecimal(Double.toString(d));
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= 16) {
            String digits = bd.unscaledValue().abs().toString().replaceAll("0+$", "");
            String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
        }
        return bd.toPlainString();
    }
}
