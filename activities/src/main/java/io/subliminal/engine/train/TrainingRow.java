package io.subliminal.engine.train;

/**
 * One training sequence: token ids and, per token, whether it is a label (HF {@code labels != -100}). Token
 * {@code t} is predicted from the logits at position {@code t - 1}, so a mask bit at position 0 has no effect.
 * For TRL's prompt-completion rows the mask is 0 over the prompt and 1 over the completion (PROTOCOL 5.3); for
 * divergence-token training it is 1 only at the marked positions (PROTOCOL 7.5).
 */
public record TrainingRow(int[] inputIds, boolean[] labelMask) {

    public TrainingRow {
        if (inputIds == null || labelMask == null) {
            throw new IllegalArgumentException("training row needs inputIds and labelMask");
        }
        if (inputIds.length == 0) {
            throw new IllegalArgumentException("training row has no tokens");
        }
        if (labelMask.length != inputIds.length) {
            throw new IllegalArgumentException("training row has " + inputIds.length + " inputIds but "
                    + labelMask.length + " labelMask entries");
        }
    }

    /** A row whose labels are every token from {@code firstLabel} on (a TRL completion mask). */
    public static TrainingRow completion(int[] inputIds, int firstLabel) {
        boolean[] mask = new boolean[inputIds.length];
        for (int t = Math.max(0, firstLabel); t < mask.length; t++) {
            mask[t] = true;
        }
        return new TrainingRow(inputIds, mask);
    }

    /** Label tokens that take part in the loss once the row is cut to {@code maxLength} (positions 1 .. len-1). */
    public int labelCount(int maxLength) {
        int len = Math.min(maxLength, inputIds.length);
        int n = 0;
        for (int t = 1; t < len; t++) {
            n += labelMask[t] ? 1 : 0;
        }
        return n;
    }
}
