package io.subliminal.engine.tokenizer.jinja;

import com.hubspot.jinjava.interpret.Context;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a template's filters ({@code x | name}) and tests ({@code x is [not] name}) against what Jinjava has
 * registered, because Jinjava silently skips unknown ones where Python's jinja2 refuses the template
 * ("No filter named ..."). String literals are ignored, so {@code '<|im_start|>'} is not read as a filter.
 */
public final class TemplateLint {

    private static final Pattern FILTER = Pattern.compile("(?<![|])\\|\\s*([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern TEST = Pattern.compile("\\bis\\s+(?:not\\s+)?([A-Za-z_][A-Za-z0-9_]*)");

    private TemplateLint() {
    }

    /** Throws an {@link IllegalArgumentException} naming the first unknown filter or test. */
    public static void check(String template, Context context) {
        for (String code : codeSegments(template)) {
            Matcher f = FILTER.matcher(code);
            while (f.find()) {
                if (context.getFilter(f.group(1)) == null) {
                    throw new IllegalArgumentException("chat template uses the filter '" + f.group(1)
                            + "', which the Jinja engine does not provide (in '" + code.strip() + "')");
                }
            }
            Matcher t = TEST.matcher(code);
            while (t.find()) {
                if (context.getExpTest(t.group(1)) == null) {
                    throw new IllegalArgumentException("chat template uses the test 'is " + t.group(1)
                            + "', which the Jinja engine does not provide (in '" + code.strip() + "')");
                }
            }
        }
    }

    /** The insides of {@code {{ }}} and {@code {% %}} with string literals blanked out. */
    static List<String> codeSegments(String template) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (true) {
            int open = indexOfOpen(template, i);
            if (open < 0) {
                return out;
            }
            String close = template.charAt(open + 1) == '{' ? "}}" : "%}";
            StringBuilder code = new StringBuilder();
            int j = open + 2;
            char quote = 0;
            while (j < template.length()) {
                char c = template.charAt(j);
                if (quote != 0) {
                    if (c == '\\' && j + 1 < template.length()) {
                        j += 2;
                        continue;
                    }
                    if (c == quote) {
                        quote = 0;
                        code.append("''");
                    }
                    j++;
                    continue;
                }
                if (c == '\'' || c == '"') {
                    quote = c;
                    j++;
                    continue;
                }
                if (template.startsWith(close, j)) {
                    break;
                }
                code.append(c);
                j++;
            }
            out.add(code.toString());
            i = Math.min(template.length(), j + 2);
            if (close.equals("%}") && code.toString().strip().replaceFirst("^-", "").strip().startsWith("raw")) {
                int end = template.indexOf("endraw", i);
                i = end < 0 ? template.length() : end;
            }
        }
    }

    private static int indexOfOpen(String s, int from) {
        for (int k = from; k + 1 < s.length(); k++) {
            if (s.charAt(k) == '{') {
                char n = s.charAt(k + 1);
                if (n == '{' || n == '%') {
                    return k;
                }
                if (n == '#') {
                    int end = s.indexOf("#}", k + 2);
                    if (end < 0) {
                        return -1;
                    }
                    k = end + 1;
                }
            }
        }
        return -1;
    }
}
