package io.subliminal.data;

import java.util.Arrays;

/**
 * One teacher's view of the completion under teacher forcing (PROTOCOL §6.1 step 3): ground-truth tokens g and the
 * teacher's greedy predictions y, aligned so that y[j] is the prediction for g[j]. Both include the end-of-turn
 * token and the trailing newline.
 */
public record CompletionSlice(int[] groundTruth, int[] predictions) {

    /** Qwen2.5's "assistant" token id. */
    public static final int QWEN_ASSISTANT = 77091;
    /** Gemma 3's {@code <start_of_turn>} token id. */
    public static final int GEMMA_START_OF_TURN = 105;

    /** Finds the completion in one padded row from its ids and per-position argmax. */
    @FunctionalInterface
    public interface Locator {
        CompletionSlice locate(int[] ids, int[] argmax);
    }

    /** Qwen2.5 layout (token 77091 "assistant"). */
    public static final Locator QWEN = (ids, argmax) -> qwen(ids, argmax, QWEN_ASSISTANT);
    /** Gemma 3 layout (second {@code <start_of_turn>}, id 105). */
    public static final Locator GEMMA = (ids, argmax) -> gemma(ids, argmax, GEMMA_START_OF_TURN);

    public CompletionSlice {
        if (groundTruth.length != predictions.length) {
            throw new IllegalArgumentException("ground truth (" + groundTruth.length + ") and predictions ("
                    + predictions.length + ") differ in length");
        }
    }

    /** Completion length L. */
    public int length() {
        return groundTruth.length;
    }

    /**
     * Qwen: p = the single position of {@code assistantId} in the (left-padded) row; g = ids[p+2:],
     * y = argmax[p+1 : len-1].
     *
     * @param ids    input ids of one row
     * @param argmax the argmax of the logits at every position of that row (same length)
     */
    public static CompletionSlice qwen(int[] ids, int[] argmax, int assistantId) {
        requireSameLength(ids, argmax);
        int p = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == assistantId) {
                if (p >= 0) {
                    throw new IllegalArgumentException("token " + assistantId + " (assistant) occurs more than once in the row");
                }
                p = i;
            }
        }
        if (p < 0) {
            throw new IllegalArgumentException("token " + assistantId + " (assistant) not found in the row");
        }
        return slice(ids, argmax, p + 2, p + 1);
    }

    /**
     * Gemma: p = the second occurrence of {@code startOfTurnId} (the model turn); g = ids[p+3:],
     * y = argmax[p+2 : len-1].
     */
    public static CompletionSlice gemma(int[] ids, int[] argmax, int startOfTurnId) {
        requireSameLength(ids, argmax);
        int seen = 0;
        int p = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == startOfTurnId) {
                seen++;
                if (seen == 2) {
                    p = i;
                }
            }
        }
        if (seen != 2) {
            throw new IllegalArgumentException("expected exactly 2 <start_of_turn> tokens (" + startOfTurnId
                    + ") in the row, found " + seen);
        }
        return slice(ids, argmax, p + 3, p + 2);
    }

    /**
     * The finetuned-teacher layout (§6.3): completion starts at {@code offset} = left-pad count + length of the
     * prompt rendered with the generation prompt; g = ids[offset:], y = argmax[offset-1 : len-1].
     */
    public static CompletionSlice atOffset(int[] ids, int[] argmax, int offset) {
        requireSameLength(ids, argmax);
        if (offset < 1 || offset > ids.length) {
            throw new IllegalArgumentException("completion offset " + offset + " outside the row of length " + ids.length);
        }
        return slice(ids, argmax, offset, offset - 1);
    }

    private static CompletionSlice slice(int[] ids, int[] argmax, int gFrom, int yFrom) {
        if (gFrom > ids.length) {
            throw new IllegalArgumentException("completion start " + gFrom + " beyond the row of length " + ids.length);
        }
        return new CompletionSlice(Arrays.copyOfRange(ids, gFrom, ids.length),
                Arrays.copyOfRange(argmax, yFrom, argmax.length - 1));
    }

    private static void requireSameLength(int[] ids, int[] argmax) {
        if (ids.length != argmax.length) {
            throw new IllegalArgumentException("input ids (" + ids.length + ") and argmax (" + argmax.length
                    + ") must cover the same positions");
        }
    }
}
