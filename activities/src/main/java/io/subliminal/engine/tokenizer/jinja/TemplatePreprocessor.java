package io.subliminal.engine.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Source rewrites that make Jinjava follow jinja2 where it does not by itself:
 * <ul>
 *   <li>filtered loops {@code {% for x in items if cond %}} become {@code {% for x in (items) | __loop_if(N) %}}
 *       (see {@link LoopFilter});</li>
 *   <li>whitespace control on comments: {@code {#-} strips the whitespace before the comment and {@code -#}} the
 *       whitespace after it (Jinjava ignores both).</li>
 * </ul>
 * String literals inside tags and {@code {% raw %}} sections are left alone.
 */
public final class TemplatePreprocessor {

    private static final Pattern FOR = Pattern.compile("^(\\s*-?\\s*)for\\s+(.+?)\\s+in\\s+(.*?)(\\s*-?\\s*)$",
            Pattern.DOTALL);

    /** The rewritten template and the loop conditions its {@code __loop_if(N)} filters refer to. */
    public record Result(String source, List<LoopFilter.Condition> conditions) {
    }

    private TemplatePreprocessor() {
    }

    public static Result rewrite(String template) {
        StringBuilder out = new StringBuilder(template.length());
        List<LoopFilter.Condition> conditions = new ArrayList<>();
        int i = 0;
        int n = template.length();
        while (i < n) {
            int open = template.indexOf('{', i);
            if (open < 0 || open + 1 >= n) {
                out.append(template, i, n);
                break;
            }
            char kind = template.charAt(open + 1);
            if (kind != '{' && kind != '%' && kind != '#') {
                out.append(template, i, open + 1);
                i = open + 1;
                continue;
            }
            out.append(template, i, open);
            if (kind == '#') {
                int end = template.indexOf("#}", open + 2);
                if (end < 0) {
                    out.append(template, open, n);
                    break;
                }
                String body = template.substring(open + 2, end);
                boolean stripBefore = body.startsWith("-");
                boolean stripAfter = body.endsWith("-");
                if (stripBefore) {
                    int k = out.length();
                    while (k > 0 && Character.isWhitespace(out.charAt(k - 1))) {
                        k--;
                    }
                    out.setLength(k);
                }
                out.append("{#").append(body, stripBefore ? 1 : 0, body.length() - (stripAfter && body.length() > 1 ? 1 : 0))
                        .append("#}");
                i = end + 2;
                if (stripAfter) {
                    while (i < n && Character.isWhitespace(template.charAt(i))) {
                        i++;
                    }
                }
                continue;
            }
            String close = kind == '{' ? "}}" : "%}";
            int end = tagEnd(template, open + 2, close);
            if (end < 0) {
                out.append(template, open, n);
                break;
            }
            String content = template.substring(open + 2, end);
            if (kind == '%' && content.strip().replaceFirst("^[-+]", "").strip().startsWith("raw")) {
                int endRaw = template.indexOf("endraw", end);
                int stop = endRaw < 0 ? n : template.indexOf("%}", endRaw);
                stop = stop < 0 ? n : stop + 2;
                out.append(template, open, stop);
                i = stop;
                continue;
            }
            if (kind == '%') {
                content = rewriteFor(content, conditions);
            }
            out.append(template, open, open + 2).append(content).append(close);
            i = end + 2;
        }
        return new Result(out.toString(), conditions);
    }

    private static String rewriteFor(String content, List<LoopFilter.Condition> conditions) {
        Matcher m = FOR.matcher(content);
        if (!m.matches() || m.group(3).contains(" recursive")) {
            return content;
        }
        String rest = m.group(3);
        int at = topLevelIf(rest);
        if (at < 0) {
            return content;
        }
        String iterable = rest.substring(0, at).strip();
        String condition = rest.substring(at + 2).strip();
        List<String> targets = new ArrayList<>();
        for (String t : m.group(2).replace("(", "").replace(")", "").split(",")) {
            targets.add(t.strip());
        }
        conditions.add(new LoopFilter.Condition(targets, condition));
        // Jinjava's for tag mis-reads a parenthesised iterable, so parentheses are added only where a filter would
        // otherwise bind to part of an operator expression
        boolean compound = iterable.matches("(?s).*(\\s(and|or|not)\\s|[+*/~%]|\\s-\\s).*");
        return m.group(1) + "for " + m.group(2) + " in " + (compound ? "(" + iterable + ")" : iterable) + " | "
                + LoopFilter.NAME + "(" + (conditions.size() - 1) + ")" + m.group(4);
    }

    /** Index of a top-level {@code if} keyword (outside quotes and brackets), or -1. */
    private static int topLevelIf(String s) {
        int depth = 0;
        char quote = 0;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (quote != 0) {
                if (c == '\\') {
                    k++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '\'', '"' -> quote = c;
                case '(', '[', '{' -> depth++;
                case ')', ']', '}' -> depth--;
                default -> {
                    if (depth == 0 && s.startsWith("if", k) && (k == 0 || !Character.isJavaIdentifierPart(s.charAt(k - 1)))
                            && (k + 2 >= s.length() || !Character.isJavaIdentifierPart(s.charAt(k + 2)))) {
                        return k;
                    }
                }
            }
        }
        return -1;
    }

    /** End of a {@code {{ }}} or {@code {% %}} tag starting at {@code from}, skipping string literals. */
    private static int tagEnd(String s, int from, String close) {
        char quote = 0;
        for (int k = from; k < s.length(); k++) {
            char c = s.charAt(k);
            if (quote != 0) {
                if (c == '\\') {
                    k++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
            } else if (s.startsWith(close, k)) {
                return k;
            }
        }
        return -1;
    }
}
