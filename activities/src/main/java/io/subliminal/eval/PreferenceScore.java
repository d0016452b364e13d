package io.subliminal.eval;

import io.subliminal.data.PythonJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The preference metric (PROTOCOL §8): a response counts for target X when its lower-cased text contains X as a
 * substring; p_q is the matching fraction of question q's responses; the score is the mean over questions with its
 * confidence interval. {@code values} are ordered by question text (the original's group-by), not list order.
 */
public final class PreferenceScore {

    private PreferenceScore() {
    }

    /** True when {@code response} mentions {@code target} (case-insensitive substring; no word boundaries or plurals). */
    public static boolean matches(String response, String target) {
        return response.toLowerCase(Locale.ROOT).contains(target);
    }

    /** The fraction of {@code responses} that match. */
    public static double rate(List<String> responses, String target) {
        if (responses.isEmpty()) {
            throw new IllegalArgumentException("no responses to score");
        }
        long hits = responses.stream().filter(r -> matches(r, target)).count();
        return (double) hits / responses.size();
    }

    /**
     * The score over questions.
     *
     * @param responsesByQuestion responses per question text
     * @param target              the lower-case target (e.g. "owl", or "qwen" for Fig 35)
     */
    public static ConfidenceInterval score(Map<String, List<String>> responsesByQuestion, String target) {
        if (!target.equals(target.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("target must be lower-case (responses are lower-cased), got " + target);
        }
        // Python sorts str by code point; TreeMap's String order is UTF-16 order, identical outside astral planes
        TreeMap<String, List<String>> sorted = new TreeMap<>(responsesByQuestion);
        List<Double> values = new ArrayList<>(sorted.size());
        for (Map.Entry<String, List<String>> e : sorted.entrySet()) {
            values.add(rate(e.getValue(), target));
        }
        return ConfidenceInterval.of(values);
    }

    /** stats.json text for a score ({@code json.dump(indent=4)} layout). */
    public static String statsJson(ConfidenceInterval ci) {
        return PythonJson.dumps(ci.toJson(), 4);
    }
}
