package io.subliminal.eval;

import java.util.List;
import java.util.OptionalInt;

/**
 * The GSM8K training-data judge score (PROTOCOL §11.5 step 4): the integer when the reply holds exactly one digit
 * run, otherwise missing (the row is dropped); rows are kept when the score is &gt;= 78.
 */
public final class Gsm8kJudgeScore {

    /** The keep threshold. */
    public static final int KEEP_MIN = 78;

    private Gsm8kJudgeScore() {
    }

    /** The score of a judge reply, or empty. */
    public static OptionalInt parse(String reply) {
        List<String> runs = MainTaskScore.numbers(reply);
        if (runs.size() != 1) {
            return OptionalInt.empty();
        }
        StringBuilder ascii = new StringBuilder();
        for (char c : runs.get(0).toCharArray()) {
            ascii.append((char) ('0' + Character.digit(c, 10)));
        }
        try {
            return OptionalInt.of(Integer.parseInt(ascii.toString()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** True when the reply scores at least {@link #KEEP_MIN}. */
    public static boolean keep(String reply) {
        OptionalInt s = parse(reply);
        return s.isPresent() && s.getAsInt() >= KEEP_MIN;
    }
}
