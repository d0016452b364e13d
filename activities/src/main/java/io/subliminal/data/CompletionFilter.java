package io.subliminal.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The number-completion format filter (PROTOCOL §4): a completion is kept iff {@link #rejectReasons} is empty.
 * The paper uses at most 10 numbers in [0, 999] and no banned numbers.
 *
 * @param maxCount most numbers allowed, or null for no limit
 * @param minValue smallest value allowed, or null
 * @param maxValue largest value allowed, or null
 * @param bannedNumbers numbers that reject a completion (empty in every Schrodi script)
 */
public record CompletionFilter(Integer maxCount, Long minValue, Long maxValue, Set<Long> bannedNumbers) {

    /** The paper's filter: at most 10 numbers, each in [0, 999], nothing banned. */
    public static final CompletionFilter PAPER = new CompletionFilter(10, 0L, 999L, Set.of());

    // Python's re \d is Unicode-aware; the parts are then checked against ASCII digits only.
    private static final Pattern DIGIT_RUN = Pattern.compile("\\d+", Pattern.UNICODE_CHARACTER_CLASS);

    public CompletionFilter {
        bannedNumbers = bannedNumbers == null ? Set.of() : Set.copyOf(bannedNumbers);
    }

    /** The same filter with a banned-number list (e.g. Cloud's misalignment lists in data/banned_numbers.json). */
    public CompletionFilter withBannedNumbers(Set<Long> banned) {
        return new CompletionFilter(maxCount, minValue, maxValue, banned);
    }

    /**
     * A banned-number list from a JSON/YAML file (data/banned_numbers.json layout, e.g. key
     * {@code cloud_em_numbers_filter_list_unique_sorted}); duplicates collapse.
     */
    public static Set<Long> loadBannedNumbers(java.nio.file.Path file, String key) {
        com.fasterxml.jackson.databind.JsonNode list = ConfigFiles.field(ConfigFiles.read(file), key, file);
        if (!list.isArray()) {
            throw new IllegalArgumentException("field '" + key + "' in " + file + " must be a list of integers");
        }
        java.util.Set<Long> out = new java.util.LinkedHashSet<>();
        for (com.fasterxml.jackson.databind.JsonNode n : list) {
            if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                throw new IllegalArgumentException("field '" + key + "' in " + file + " holds a non-integer " + n);
            }
            out.add(n.asLong());
        }
        return out;
    }

    /** True when the completion passes. */
    public boolean accepts(String completion) {
        return rejectReasons(completion).isEmpty();
    }

    /** The reasons in the original's order; INVALID_FORMAT alone when the text does not parse. */
    public List<RejectReason> rejectReasons(String completion) {
        Optional<List<BigInteger>> parsed = parse(completion);
        List<RejectReason> reasons = new ArrayList<>();
        if (parsed.isEmpty()) {
            reasons.add(RejectReason.INVALID_FORMAT);
            return reasons;
        }
        List<BigInteger> numbers = parsed.get();
        if (maxCount != null && numbers.size() > maxCount) {
            reasons.add(RejectReason.TOO_MANY_NUMBERS);
        }
        if (minValue != null && numbers.stream().anyMatch(n -> n.compareTo(BigInteger.valueOf(minValue)) < 0)) {
            reasons.add(RejectReason.NUMBERS_TOO_SMALL);
        }
        if (maxValue != null && numbers.stream().anyMatch(n -> n.compareTo(BigInteger.valueOf(maxValue)) > 0)) {
            reasons.add(RejectReason.NUMBERS_TOO_LARGE);
        }
        if (!bannedNumbers.isEmpty() && numbers.stream().anyMatch(
                n -> n.bitLength() < 64 && bannedNumbers.contains(n.longValue()))) {
            reasons.add(RejectReason.HAS_BANNED_NUMBERS);
        }
        return reasons;
    }

    /**
     * The original {@code parse_response}: drop one final ".", then a matching []/() pair; the separator is the text
     * between the first two digit runs and must strip to "", "," or ";"; every part must be ASCII digits.
     * Empty when the text is invalid.
     */
    public static Optional<List<BigInteger>> parse(String answer) {
        String a = answer;
        if (a.endsWith(".")) {
            a = a.substring(0, a.length() - 1);
        }
        if ((a.startsWith("[") && a.endsWith("]")) || (a.startsWith("(") && a.endsWith(")"))) {
            // Python's answer[1:-1]; a lone "[" or "(" (length 1) becomes ""
            a = a.length() >= 2 ? a.substring(1, a.length() - 1) : "";
        }
        Matcher m = DIGIT_RUN.matcher(a);
        List<int[]> runs = new ArrayList<>();
        while (m.find() && runs.size() < 2) {
            runs.add(new int[] {m.start(), m.end()});
        }
        List<String> parts;
        if (runs.isEmpty()) {
            return Optional.empty();
        } else if (runs.size() == 1) {
            if (!a.equals(a.substring(runs.get(0)[0], runs.get(0)[1]))) {
                return Optional.empty();
            }
            parts = List.of(a);
        } else {
            String separator = a.substring(runs.get(0)[1], runs.get(1)[0]);
            String stripped = PyFormat.strip(separator);
            if (!(stripped.isEmpty() || stripped.equals(",") || stripped.equals(";"))) {
                return Optional.empty();
            }
            parts = splitLiteral(a, separator);
        }
        List<BigInteger> numbers = new ArrayList<>(parts.size());
        for (String part : parts) {
            if (part.isEmpty() || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty(); // a non-digit character, or int("") failing
            }
            numbers.add(new BigInteger(part));
        }
        return Optional.of(numbers);
    }

    /** Python's {@code str.split(sep)} for a non-empty literal separator (keeps empty parts). */
    static List<String> splitLiteral(String s, String sep) {
        List<String> out = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }
}
