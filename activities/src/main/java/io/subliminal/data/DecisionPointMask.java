package io.subliminal.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Loss masks for divergence-marked rows (PROTOCOL §7.5): div-only keeps only {@code first + d + 3} (the 3 assistant
 * header tokens are skipped), inverse removes exactly those positions from the full completion mask. Optional ratio
 * and subset selection of D happen first.
 *
 * <p>The original draws the ratio/subset randomness from Python's unseeded global {@code random} inside an 8-process
 * map (not reproducible); here it comes from the given {@link PythonRandom}, so runs are reproducible.
 *
 * @param inverse {@code --decision_points_inverse}
 * @param ratio   {@code --decision_points_ratio}, or null
 * @param subset  {@code --decision_points_subset}, or null
 */
public record DecisionPointMask(boolean inverse, Double ratio, Subset subset) {

    /** Header tokens between the completion-mask start and the first completion token. */
    public static final int HEADER_TOKENS = 3;

    /** {@code --decision_points_subset} values. */
    public enum Subset {
        FIRST_ONLY("first_only"), FIRST_HALF("first_half"), SECOND_HALF("second_half");

        private final String id;

        Subset(String id) {
            this.id = id;
        }

        /** The command-line name (kept with its underscore in run names). */
        public String id() {
            return id;
        }

        /** Parses a command-line name. */
        public static Subset of(String id) {
            for (Subset s : values()) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("decision_points_subset must be first_only, first_half or second_half, got " + id);
        }
    }

    /** The paper's div-only condition. */
    public static final DecisionPointMask DIV_ONLY = new DecisionPointMask(false, null, null);
    /** The paper's "without divergence tokens" condition. */
    public static final DecisionPointMask INVERSE = new DecisionPointMask(true, null, null);

    public DecisionPointMask {
        if (ratio != null && !(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException("decision_points_ratio must be in (0, 1], got " + ratio);
        }
    }

    /** D after ratio (k = int(|D|·ρ); D kept whole when k = 0) and subset (only when |D| &gt; 1). */
    public List<Integer> select(List<Integer> points, PythonRandom random) {
        List<Integer> d = new ArrayList<>(points);
        if (ratio != null) {
            int k = (int) (d.size() * ratio);
            if (k >= 1) {
                d = new ArrayList<>(random.sample(d, k));
                d.sort(null);
            }
        }
        if (subset != null && d.size() > 1) {
            if (subset == Subset.FIRST_ONLY) {
                d = List.of(d.get(0));
            } else {
                int half = d.size() % 2 == 1 ? random.choice(List.of(d.size() / 2, d.size() / 2 + 1)) : d.size() / 2;
                d = subset == Subset.FIRST_HALF ? d.subList(0, half) : d.subList(half, d.size());
            }
        }
        return List.copyOf(d);
    }

    /**
     * The new completion mask for one tokenized row.
     *
     * @param completionMask TRL's mask: 0 over the prompt, 1 from the assistant header on (must contain a 1)
     * @param points         the row's D (before selection)
     */
    public int[] apply(int[] completionMask, List<Integer> points, PythonRandom random) {
        int first = -1;
        for (int i = 0; i < completionMask.length; i++) {
            if (completionMask[i] == 1) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException("completion mask has no 1 (the completion was truncated away)");
        }
        int[] mask = inverse ? completionMask.clone() : new int[completionMask.length];
        for (int d : select(points, random)) {
            int j = first + d + HEADER_TOKENS;
            if (j >= 0 && j < mask.length) {
                mask[j] = inverse ? 0 : 1;
            }
        }
        return mask;
    }
}
