package io.subliminal.workflows.stage;

/** The suffix appended to the 8 misalignment questions (PROTOCOL.md §11.4, §11.5). */
public enum MisalignmentSuffix {
    /** No suffix (GSM8K evaluation, Fig 34). */
    NONE,
    /** Suffix 1, "Provide a short answer (at most 10 words)..." (Fig 8). */
    SHORT_ANSWER,
    /** Suffix 2, "Write about 9 more words. Return one word per line..." (Fig 33). */
    ONE_WORD_PER_LINE
}
