package io.subliminal.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The main-task evaluation rows (PROTOCOL §9): train = the rows at the run's {@code train_indices} (in that order),
 * validation = the remaining rows in file order, at most 10,000.
 *
 * @param train      row indices of the train split
 * @param validation row indices of the validation split
 */
public record MainTaskSplit(List<Integer> train, List<Integer> validation) {

    /** The validation cap. */
    public static final int MAX_VALIDATION = 10_000;

    /** The split of a file with {@code nRows} rows for a run trained on {@code trainIndices}. */
    public static MainTaskSplit of(int nRows, int[] trainIndices) {
        Set<Integer> used = new HashSet<>();
        List<Integer> train = new ArrayList<>(trainIndices.length);
        for (int i : trainIndices) {
            if (i < 0 || i >= nRows) {
                throw new IllegalArgumentException("train index " + i + " outside the dataset of " + nRows
                        + " rows (is the dataset the one the run was trained on?)");
            }
            train.add(i);
            used.add(i);
        }
        List<Integer> val = new ArrayList<>();
        for (int i = 0; i < nRows && val.size() < MAX_VALIDATION; i++) {
            if (!used.contains(i)) {
                val.add(i);
            }
        }
        return new MainTaskSplit(List.copyOf(train), List.copyOf(val));
    }
}
