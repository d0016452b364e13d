package io.subliminal.engine.train;

/**
 * What one optimizer update did.
 *
 * @param step updates done so far (1-based number of this update)
 * @param maxSteps updates in the whole run
 * @param epoch 0-based epoch of this update
 * @param loss token-averaged loss over the update's window (before the update)
 * @param gradNorm global gradient norm before clipping (unscaled)
 * @param learningRate learning rate used by this update
 * @param labelTokens label tokens in the window
 * @param tokens real (non-padding) input tokens in the window
 * @param seconds wall time of the update (forward, backward, clip, optimizer)
 * @param forwardSeconds part of {@code seconds} spent in forward passes and the loss (autograd recording)
 * @param backwardSeconds part of {@code seconds} spent in backward passes
 * @param lossScale the factor the loss was multiplied by before backward (1 in float32)
 * @param skipped true when float16 gradients overflowed and the update was not applied (the loss scale backs off)
 */
public record TrainingProgress(int step, int maxSteps, int epoch, double loss, double gradNorm, double learningRate,
                               long labelTokens, long tokens, double seconds, double forwardSeconds,
                               double backwardSeconds, double lossScale, boolean skipped) {

    /** Input tokens per second of this update. */
    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }
}
