package io.subliminal.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A completion parsed the way the shuffling and entangled-token scripts parse it (PROTOCOL §10, which differs
 * slightly from the §4 filter): an optional "(" / "[" prefix with its closing bracket (plus a trailing ".") as suffix,
 * or a single non-digit suffix character; the separator is the most frequent non-word substring.
 *
 * @param numbers   the numbers as written (digit strings, leading zeros kept)
 * @param separator the separator, or null when the text holds a single number
 * @param prefix    the opening symbol or ""
 * @param suffix    the closing symbol(s) or ""
 */
public record ResponseNumbers(List<String> numbers, String separator, String prefix, String suffix) {

    private static final Pattern WORD_RUN = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);

    public ResponseNumbers {
        numbers = List.copyOf(numbers);
    }

    /**
     * Parses {@code response}.
     *
     * @throws IllegalArgumentException where the original asserts (bad brackets, non-digit parts, empty text)
     */
    public static ResponseNumbers parse(String response) {
        if (response.isEmpty()) {
            throw new IllegalArgumentException("empty response");
        }
        String r = response;
        String prefix;
        String suffix;
        String pruned;
        if (!Character.isDigit(r.charAt(0))) {
            char open = r.charAt(0);
            if (open != '(' && open != '[') {
                throw new IllegalArgumentException("Invalid start character: " + open + " of response " + response);
            }
            String dot = "";
            if (r.endsWith(".")) {
                dot = ".";
                r = r.substring(0, r.length() - 1);
            }
            char close = r.isEmpty() ? 0 : r.charAt(r.length() - 1);
            if (close != ')' && close != ']') {
                throw new IllegalArgumentException("Invalid end character of response " + response);
            }
            if ((open == '(') != (close == ')') || r.length() < 2) {
                throw new IllegalArgumentException("Mismatched brackets in response " + response);
            }
            prefix = String.valueOf(open);
            suffix = close + dot;
            pruned = r.substring(1, r.length() - 1);
        } else if (!Character.isDigit(r.charAt(r.length() - 1))) {
            if (r.length() < 2 || !Character.isDigit(r.charAt(r.length() - 2))) {
                throw new IllegalArgumentException("Invalid end character sequence in response " + response);
            }
            prefix = "";
            suffix = r.substring(r.length() - 1);
            pruned = r.substring(0, r.length() - 1);
        } else {
            prefix = "";
            suffix = "";
            pruned = r;
        }
        String separator = detectSeparator(pruned);
        List<String> parts = separator == null ? splitWhitespace(pruned) : CompletionFilter.splitLiteral(pruned, separator);
        for (String p : parts) {
            if (p.isEmpty() || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("non-digit part '" + p + "' in response " + response);
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("No numbers found in the response " + response);
        }
        return new ResponseNumbers(parts, separator, prefix, suffix);
    }

    /** The most frequent non-empty piece between {@code \w+} runs (first seen wins ties); null when there is none. */
    public static String detectSeparator(String s) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String piece : WORD_RUN.split(s, -1)) {
            if (!piece.isEmpty()) {
                counts.merge(piece, 1, Integer::sum);
            }
        }
        String best = null;
        int bestCount = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }

    /** The numbers as Python ints printed back ({@code str(int(s))}: leading zeros dropped). */
    public List<String> intStrings() {
        List<String> out = new ArrayList<>(numbers.size());
        for (String n : numbers) {
            StringBuilder ascii = new StringBuilder(n.length());
            for (int i = 0; i < n.length(); i++) {
                ascii.append((char) ('0' + Character.digit(n.charAt(i), 10)));
            }
            out.add(new java.math.BigInteger(ascii.toString()).toString());
        }
        return out;
    }

    /** prefix + numbers joined by the separator + suffix. */
    public static String render(String prefix, List<String> numbers, String separator, String suffix) {
        String sep = separator == null ? "None" : separator; // Python's f"{None}".join
        return prefix + String.join(sep, numbers) + suffix;
    }

    private static List<String> splitWhitespace(String s) {
        return Arrays.stream(s.split("[\\s\\u001c-\\u001f\\u0085\\u00a0\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+"))
                .filter(p -> !p.isEmpty()).toList();
    }
}
