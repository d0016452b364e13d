package io.subliminal.activities.judge;

import java.util.List;

/**
 * A judge model: given conversations, its raw reply texts, one per conversation and in order. Implementations decode
 * with the settings they were opened with ({@link Judges#open}); parsing the replies is the caller's business.
 */
public interface Judge extends AutoCloseable {

    /**
     * The replies to {@code prompts}. {@code seed} makes a local judge's sampling reproducible (one seed per call;
     * the caller derives it from the position of the batch).
     */
    List<String> replies(List<JudgePrompt> prompts, long seed);

    /** What this judge is, for progress and logs (never a secret). */
    String describe();

    /** Releases what the judge holds (HTTP threads); the default holds nothing. */
    @Override
    default void close() {
    }
}
