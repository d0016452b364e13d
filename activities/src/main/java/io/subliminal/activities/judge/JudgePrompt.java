package io.subliminal.activities.judge;

import java.util.Objects;

/**
 * One conversation sent to a judge: an optional system message and the user message.
 *
 * @param system the system message, or null for none
 * @param user the user message
 */
public record JudgePrompt(String system, String user) {
    public JudgePrompt {
        Objects.requireNonNull(user, "user");
    }

    /** A prompt without a system message. */
    public static JudgePrompt user(String user) {
        return new JudgePrompt(null, user);
    }
}
