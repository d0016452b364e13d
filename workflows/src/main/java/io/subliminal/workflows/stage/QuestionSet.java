package io.subliminal.workflows.stage;

/** The 50 preference questions (PROTOCOL.md §8). */
public enum QuestionSet {
    ANIMALS, TREES
}
