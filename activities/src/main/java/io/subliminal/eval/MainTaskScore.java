package io.subliminal.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The main-task metric (PROTOCOL §9): per sequence, the digit runs of the decoded ground-truth completion tokens
 * are compared by position with the digit runs of the decoded argmax tokens; accuracy overall and per position.
 */
public final class MainTaskScore {

    private static final Pattern DIGITS = Pattern.compile("\\d+", Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<Integer, int[]> perPosition = new java.util.TreeMap<>();
    private long correct;
    private long total;

    /** Digit runs of {@code text}. */
    public static List<String> numbers(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = DIGITS.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Adds one sequence: the decoded ground truth and the decoded predictions at the label positions. */
    public void add(String groundTruth, String prediction) {
        List<String> g = numbers(groundTruth);
        List<String> p = numbers(prediction);
        for (int i = 0; i < g.size(); i++) {
            boolean ok = i < p.size() && p.get(i).equals(g.get(i));
            int[] c = perPosition.computeIfAbsent(i, k -> new int[2]);
            c[1]++;
            total++;
            if (ok) {
                c[0]++;
                correct++;
            }
        }
    }

    /** correct / total over all ground-truth numbers (0 when there were none). */
    public double total() {
        return total == 0 ? 0.0 : (double) correct / total;
    }

    /** {"total": ..., "per_position": {"i": acc_i}} for one split. */
    public Map<String, Object> toJson() {
        Map<String, Object> pos = new LinkedHashMap<>();
        for (Map.Entry<Integer, int[]> e : perPosition.entrySet()) {
            pos.put(Integer.toString(e.getKey()), (double) e.getValue()[0] / e.getValue()[1]);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", total());
        m.put("per_position", pos);
        return m;
    }

    /** The stats.json object {"train": ..., "val": ...}. */
    public static Map<String, Object> statsJson(MainTaskScore train, MainTaskScore val) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train", train.toJson());
        m.put("val", val.toJson());
        return m;
    }
}
