package io.subliminal.workflows.stage;

/** {@code --decision_points_subset} (PROTOCOL.md §7.5), applied to rows with more than one divergence position. */
public enum DecisionPointsSubset {
    FIRST_ONLY, FIRST_HALF, SECOND_HALF
}
