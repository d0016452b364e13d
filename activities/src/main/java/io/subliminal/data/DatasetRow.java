package io.subliminal.data;

import java.util.List;
import java.util.Objects;

/**
 * One dataset line: the bare user prompt, the teacher's completion and, after divergence marking, the sorted
 * completion-relative divergence offsets ({@code decision_points}; null when the row was never marked).
 */
public record DatasetRow(String prompt, String completion, List<Integer> decisionPoints) {

    public DatasetRow {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(completion, "completion");
        decisionPoints = decisionPoints == null ? null : List.copyOf(decisionPoints);
    }

    /** An unmarked row. */
    public DatasetRow(String prompt, String completion) {
        this(prompt, completion, null);
    }

    /** True when the row carries a decision_points field. */
    public boolean isMarked() {
        return decisionPoints != null;
    }

    /** The same prompt and completion with these decision points. */
    public DatasetRow withDecisionPoints(List<Integer> points) {
        return new DatasetRow(prompt, completion, points);
    }

    /** The same row without decision points. */
    public DatasetRow unmarked() {
        return new DatasetRow(prompt, completion, null);
    }
}
