package io.subliminal.engine.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * HF {@code RepetitionPenaltyLogitsProcessor} on the device: for ids present in a row's context, a negative logit
 * is multiplied by the penalty and any other divided by it; other logits are untouched.
 */
public final class RepetitionPenalty {

    private RepetitionPenalty() {
    }

    /**
     * @param logits {@code [B, V]} float32
     * @param seen {@code [B, V]} boolean, true for ids in the row's context
     * @param penalty 0-d float32 penalty
     * @param zero 0-d float32 zero
     */
    public static NDArray apply(NDArray logits, NDArray seen, NDArray penalty, NDArray zero) {
        NDArray penalised = NDArrays.where(logits.lt(zero), logits.mul(penalty), logits.div(penalty));
        return NDArrays.where(seen, penalised, logits);
    }
}
