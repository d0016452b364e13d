package io.subliminal.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Divergence tokens (PROTOCOL §6.1 steps 4-6, §6.3) from the teachers' greedy predictions on one completion.
 *
 * @param correct        C[t][j] = (y_t[j] == g[j]), one row per teacher in teacher-set order
 * @param decisionPoints D: sorted completion-relative offsets
 * @param predictions    y_t[j] per teacher (needed by {@link TeacherMixing})
 */
public record DivergenceTokens(boolean[][] correct, List<Integer> decisionPoints, int[][] predictions) {

    /**
     * Preference teachers: D = { j : C[target][j] and some teacher has C[t][j] false }.
     *
     * @param slices one slice per teacher, in teacher-set order, all with the same ground truth
     */
    public static DivergenceTokens ofTeachers(List<CompletionSlice> slices, int targetIndex) {
        if (slices.size() < 2) {
            throw new IllegalArgumentException("need at least two teachers, got " + slices.size());
        }
        if (targetIndex < 0 || targetIndex >= slices.size()) {
            throw new IllegalArgumentException("target index " + targetIndex + " outside the " + slices.size() + " teachers");
        }
        int[] g = slices.get(0).groundTruth();
        int length = g.length;
        boolean[][] c = new boolean[slices.size()][length];
        int[][] y = new int[slices.size()][];
        for (int t = 0; t < slices.size(); t++) {
            CompletionSlice s = slices.get(t);
            if (!java.util.Arrays.equals(s.groundTruth(), g)) {
                throw new IllegalArgumentException("teacher " + t + " sees a different completion than teacher 0");
            }
            y[t] = s.predictions();
            for (int j = 0; j < length; j++) {
                c[t][j] = y[t][j] == g[j];
            }
        }
        List<Integer> d = new ArrayList<>();
        for (int j = 0; j < length; j++) {
            if (!c[targetIndex][j]) {
                continue;
            }
            for (boolean[] row : c) {
                if (!row[j]) {
                    d.add(j);
                    break;
                }
            }
        }
        return new DivergenceTokens(c, List.copyOf(d), y);
    }

    /**
     * Divergence for one dataset row from the teachers' batch (one padded row per teacher, teacher-set order):
     * the locator slices each row, then {@link #ofTeachers} applies.
     *
     * @param ids    input ids per teacher row
     * @param argmax logits argmax per teacher row (same shape)
     */
    public static DivergenceTokens ofTeacherRows(List<int[]> ids, List<int[]> argmax, CompletionSlice.Locator locator,
                                                 int targetIndex) {
        if (ids.size() != argmax.size()) {
            throw new IllegalArgumentException(ids.size() + " id rows but " + argmax.size() + " argmax rows");
        }
        List<CompletionSlice> slices = new ArrayList<>(ids.size());
        for (int t = 0; t < ids.size(); t++) {
            try {
                slices.add(locator.locate(ids.get(t), argmax.get(t)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("teacher " + t + ": " + e.getMessage(), e);
            }
        }
        return ofTeachers(slices, targetIndex);
    }

    /**
     * Finetuned (misaligned) teacher (§6.3): D = { j : y_em[j] == g[j] and y_orig[j] != g[j] }. The matrix rows
     * are [original, finetuned].
     */
    public static DivergenceTokens ofFinetuned(CompletionSlice original, CompletionSlice finetuned) {
        if (!java.util.Arrays.equals(original.groundTruth(), finetuned.groundTruth())) {
            throw new IllegalArgumentException("original and finetuned teacher see different completions");
        }
        int[] g = original.groundTruth();
        boolean[][] c = new boolean[2][g.length];
        List<Integer> d = new ArrayList<>();
        for (int j = 0; j < g.length; j++) {
            c[0][j] = original.predictions()[j] == g[j];
            c[1][j] = finetuned.predictions()[j] == g[j];
            if (c[1][j] && !c[0][j]) {
                d.add(j);
            }
        }
        return new DivergenceTokens(c, List.copyOf(d), new int[][] {original.predictions(), finetuned.predictions()});
    }

    /** The correctness matrix as the original's {@code _correct_matrices.jsonl} line. */
    public String correctMatrixLine() {
        List<Object> rows = new ArrayList<>(correct.length);
        for (boolean[] r : correct) {
            rows.add(r);
        }
        return PythonJson.dumps(rows);
    }
}
