package io.subliminal.data;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One number-sequence prompt as its parts (PROTOCOL §3.3): the chosen templates and the values filled into them.
 * {@link #text()} assembles {@code example + " " + instruction + " " + format_suffix + " " + suffix}.
 */
public record NumberPrompt(
        String exampleTemplate,
        String examples,
        String digitDescriptorTemplate,
        String maxDigits,
        String instructionTemplate,
        String countQualifier,
        String answerCount,
        String formatSuffix,
        String suffix) {

    /** The prompt text. */
    public String text() {
        String examplePart = PyFormat.format(exampleTemplate, Map.of("examples", examples));
        String digitDescriptor = PyFormat.format(digitDescriptorTemplate, Map.of("max_digits", maxDigits));
        String instruction = PyFormat.format(instructionTemplate, Map.of(
                "count_qualifier", countQualifier, "answer_count", answerCount, "digit_descriptor", digitDescriptor));
        return examplePart + " " + instruction + " " + formatSuffix + " " + suffix;
    }

    /** A copy with other templates and values. */
    public NumberPrompt with(String exampleTemplate, String countQualifier, String digitDescriptorTemplate,
                             String instructionTemplate, String suffix) {
        return new NumberPrompt(exampleTemplate, examples, digitDescriptorTemplate, maxDigits, instructionTemplate,
                countQualifier, answerCount, formatSuffix, suffix);
    }

    /**
     * Parses a prompt back into its parts the way the original paraphrasing script does: the first example template
     * that prefix-matches (examples matched lazily), then the first instruction template, the first digit
     * descriptor, the first format suffix the rest starts with, and a closing suffix equal to the rest.
     *
     * @throws IllegalArgumentException when some part matches no template or the parts do not reassemble the text
     */
    public static NumberPrompt parse(String prompt, NumberPromptTemplates templates) {
        Matcher ex = null;
        String exTemplate = null;
        for (String t : templates.exampleTemplates()) {
            Matcher m = compiled(t, Map.of("{examples}", "(?<examples>.+?)")).matcher(prompt);
            if (m.lookingAt()) {
                ex = m;
                exTemplate = t;
                break;
            }
        }
        if (ex == null) {
            throw new IllegalArgumentException("prompt matches no example template: " + prompt);
        }
        String examples = ex.group("examples");
        String rest = PyFormat.strip(prompt.substring(ex.end()));

        Matcher in = null;
        String inTemplate = null;
        for (String t : templates.instructionTemplates()) {
            Matcher m = compiled(t, Map.of(
                    "{count_qualifier}", "(?<cq>.+?)",
                    "{answer_count}", "(?<ac>\\d+)",
                    "{digit_descriptor}", "(?<dd>.+?)")).matcher(rest);
            if (m.lookingAt()) {
                in = m;
                inTemplate = t;
                break;
            }
        }
        if (in == null) {
            throw new IllegalArgumentException("prompt matches no instruction template: " + prompt);
        }
        String countQualifier = in.group("cq");
        String answerCount = String.valueOf(Integer.parseInt(in.group("ac")));
        String digitDescriptor = in.group("dd");
        rest = PyFormat.strip(rest.substring(in.end()));

        String ddTemplate = null;
        String maxDigits = null;
        for (String t : templates.digitDescriptors()) {
            Matcher m = compiled(t, Map.of("{max_digits}", "(?<md>\\d+)")).matcher(digitDescriptor);
            if (m.lookingAt()) {
                ddTemplate = t;
                maxDigits = m.group("md");
                break;
            }
        }
        if (ddTemplate == null) {
            throw new IllegalArgumentException("prompt matches no digit descriptor: " + prompt);
        }

        String format = null;
        for (String f : templates.formatSuffixes()) {
            if (rest.startsWith(f)) {
                format = f;
                rest = PyFormat.strip(rest.substring(f.length()));
                break;
            }
        }
        if (format == null) {
            throw new IllegalArgumentException("prompt matches no format suffix: " + prompt);
        }
        String suffix = null;
        for (String s : templates.suffixes()) {
            if (rest.equals(s)) {
                suffix = s;
                break;
            }
        }
        if (suffix == null) {
            throw new IllegalArgumentException("prompt matches no closing suffix: " + prompt);
        }
        NumberPrompt parsed = new NumberPrompt(exTemplate, examples, ddTemplate, maxDigits, inTemplate,
                countQualifier, answerCount, format, suffix);
        if (!parsed.text().equals(prompt)) {
            throw new IllegalArgumentException("parsed parts do not reassemble the prompt: " + prompt);
        }
        return parsed;
    }

    private static final Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The template as a Python-equivalent regex ('.' excludes only '\\n'; '\\d' is Unicode), compiled once. */
    private static Pattern compiled(String template, Map<String, String> groups) {
        String regex = quoteWith(template, groups);
        return PATTERNS.computeIfAbsent(regex, r -> Pattern.compile(r, Pattern.UNIX_LINES | Pattern.UNICODE_CHARACTER_CLASS));
    }

    private static String quoteWith(String template, Map<String, String> groups) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            String hit = null;
            for (String key : groups.keySet()) {
                if (template.startsWith(key, i)) {
                    hit = key;
                    break;
                }
            }
            if (hit != null) {
                re.append(groups.get(hit));
                i += hit.length();
            } else {
                int next = template.length();
                for (String key : groups.keySet()) {
                    int at = template.indexOf(key, i);
                    if (at >= 0 && at < next) {
                        next = at;
                    }
                }
                re.append(Pattern.quote(template.substring(i, next)));
                i = next;
            }
        }
        return re.toString();
    }
}
