package io.subliminal.engine.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's autograd recording off on the current thread until closed (then restores the previous mode).
 * DJL turns it off only on the thread that started the engine; worker threads (e.g. Temporal activity threads)
 * would otherwise record graphs whenever a trainable array (an attached LoRA adapter) takes part.
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
