package io.subliminal.data;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/** The few pieces of Python string formatting the original scripts rely on. */
public final class PyFormat {

    private PyFormat() {
    }

    /**
     * {@code template.format(**values)} for named fields: {@code {name}} is replaced, {@code {{}}/{@code }}}
     * are literal braces, and a field without a value is an error (Python's KeyError).
     */
    public static String format(String template, Map<String, String> values) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{') {
                if (i + 1 < template.length() && template.charAt(i + 1) == '{') {
                    out.append('{');
                    i += 2;
                    continue;
                }
                int close = template.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '{' in template: " + template);
                }
                String name = template.substring(i + 1, close);
                String value = values.get(name);
                if (value == null) {
                    throw new IllegalArgumentException("template field {" + name + "} has no value in: " + template);
                }
                out.append(value);
                i = close + 1;
            } else if (c == '}') {
                if (i + 1 < template.length() && template.charAt(i + 1) == '}') {
                    out.append('}');
                    i += 2;
                    continue;
                }
                throw new IllegalArgumentException("single '}' in template: " + template);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** {@code f"{x:.0f}"}: the exact binary value rounded half-to-even to an integer. */
    public static String fixed0(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("cannot format non-finite value " + x);
        }
        String s = new BigDecimal(x).setScale(0, RoundingMode.HALF_EVEN).toPlainString();
        return x < 0 && s.equals("0") ? "-0" : s;
    }

    /** Python's {@code str.isspace} for one char (Unicode whitespace incl. the separators U+001C..U+001F, U+0085). */
    public static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Python's {@code str.strip()} with no arguments. */
    public static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isSpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }
}
